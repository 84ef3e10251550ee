; all: reject
// check_func_arg_reg_off allows a fixed offset into a map value; check_mem_reg then measures
// from it: 8 bytes at offset 12 of a 16-byte value, "invalid access to map value,
// value_size=16 off=12 size=8"; "Caller passes invalid args into func#1 ('g')".

.map m array key=4 value=16 max_entries=1
.globl g(mem:8)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 12
call g	; log: invalid access to map value, value_size=16 off=12 size=8
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
out:
r0 = 0
exit
g:
r0 = 0
exit
