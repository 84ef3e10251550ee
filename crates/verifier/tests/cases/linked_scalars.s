; cleanup: accept

.map m array key=4 value=16 max_entries=4

r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 0)
r3 = r1
if r3 > 7 goto out
r0 += r1
r2 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
