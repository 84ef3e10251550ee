; cleanup: reject
// Locks element 0 and unlocks element 1 of the same map: the lock is named by the element
// (the lookup's id), not by the map; the interpreter faults on such an unlock.

.map m array key=4 value=16 max_entries=4

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
*(u32 *)(r10 - 8) = 1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r7 = r0
r1 = r6
call bpf_spin_lock
r1 = r7
call bpf_spin_unlock	; error: bpf_spin_unlock of different lock
out:
r0 = 0
exit
