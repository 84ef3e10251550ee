; all: reject
// check_mem_access on a ctx pointer: check_ptr_off_reg → __check_ptr_off_reg refuses a
// negative offset before a modified one, "negative offset ctx ptr R1 off=-1 disallowed" (the
// selftest verifier_bounds_deduction/deducing_bounds_from_const_8). The same check as a ctx
// argument's (global_ctx_arg_negative_offset.s).

.ctx socket
r0 = -1
if r0 s>= 0 goto l0
r1 += r0
l0:
r0 = *(u32 *)(r1 + 8)	; error: negative offset ctx ptr R1 off=-1 disallowed
exit
