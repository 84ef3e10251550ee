; cleanup: accept

.map m hash key=8 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 != 0 goto out
r0 += 1
out:
r0 = 0
exit
