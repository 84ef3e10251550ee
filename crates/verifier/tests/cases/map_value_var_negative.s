; cleanup: reject

.map m array key=4 value=16 max_entries=4

r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
if r1 s> 4 goto out
if r1 s< -8 goto out
r0 += r1
r2 = *(u8 *)(r0 + 0)	; error: R0 min value is negative
out:
r0 = 0
exit
