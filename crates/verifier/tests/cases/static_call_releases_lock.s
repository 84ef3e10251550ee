; legacy: reject
; upstream, cleanup, cleanup-v2, runtime: accept
// A static callee releases the lock its caller took (the lock is the state's, not a
// frame's: process_spin_lock names it by the map value's id).

.map m array key=4 value=8 max_entries=1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r0
call bpf_spin_lock
r1 = r6
call unlock	; error(legacy): function calls are not allowed while holding a lock
out:
r0 = 0
exit
unlock:
call bpf_spin_unlock
r0 = 0
exit
