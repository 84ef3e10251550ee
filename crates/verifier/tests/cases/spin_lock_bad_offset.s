; cleanup: reject
// The lock word would run past the 16-byte value (found by tests/soundness.rs: the
// interpreter faulted taking it).

.map m array key=4 value=16 max_entries=4

r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r0
r1 += 14
call bpf_spin_lock	; error: off 14 doesn't point to 'struct bpf_spin_lock'
r1 = r6
r1 += 14
call bpf_spin_unlock
out:
r0 = 0
exit
