; all: accept
// A plain pointer argument of a global function is nullable (btf_prepare_func_args:
// ARG_PTR_TO_MEM | PTR_MAYBE_NULL unless tagged __arg_nonnull), so check_mem_reg checks a
// map value that may be NULL as if it were not, and passes it; the callee gets mem_or_null
// and must test it (global_mem_arg_null_unchecked.s). Refused before with "R1
// type=map_value_or_null expected=...".

.map m hash key=8 value=8 max_entries=1
.globl g(mem:8)
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
r1 = r0
call g
r0 = 0
exit
g:
if r1 == 0 goto null
r0 = *(u64 *)(r1 + 0)
exit
null:
r0 = 0
exit
