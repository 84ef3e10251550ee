; cleanup: accept

.map m hash key=8 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 24) = r1
*(u64 *)(r10 - 16) = r1
r2 = r10
r2 += -8
r3 = r10
r3 += -24
r4 = 0
r1 = map[m] ll
call bpf_map_update_elem
exit
