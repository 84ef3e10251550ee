; cleanup: reject

.map m array key=4 value=16 max_entries=4

r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
call bpf_spin_lock
out:
r0 = 0
exit	; error: bpf_spin_unlock is missing
