; cleanup: reject
// The callback's counter is 8 on the first iteration and 16 on the second: callbacks are
// verified until their states converge, not once (found by tests/soundness.rs).

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
r0 += r6
*(u64 *)(r0 + 0) = 1	; error: invalid access to map value, value_size=16 off=16 size=8
out:
r0 = 0
exit
