; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 - 4)	; error: invalid access to map value, value_size=16 off=-4 size=4
out:
r0 = 0
exit
