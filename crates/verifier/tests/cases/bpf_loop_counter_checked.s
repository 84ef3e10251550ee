; cleanup: accept
// The same counter, checked before use: 4 iterations verified (a constant loop count).

.ctx tc
.map a array key=4 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = 4
r2 = cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit

cb:
r6 = *(u64 *)(r2 + 0)
r6 += 8
*(u64 *)(r2 + 0) = r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[a] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
if r6 > 8 goto out
r0 += r6
*(u64 *)(r0 + 0) = 1
out:
r0 = 0
exit
