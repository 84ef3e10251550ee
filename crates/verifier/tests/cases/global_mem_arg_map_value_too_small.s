; all: reject
// A map value as a global function's memory argument: check_mem_reg → check_map_access,
// "invalid access to map value, value_size=4 off=0 size=8" for an 8-byte argument in a
// 4-byte value; "Caller passes invalid args into func#1 ('g')".

.map m array key=4 value=4 max_entries=1
.globl g(mem:8)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
call g	; log: invalid access to map value, value_size=4 off=0 size=8
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
out:
r0 = 0
exit
g:
r0 = 0
exit
