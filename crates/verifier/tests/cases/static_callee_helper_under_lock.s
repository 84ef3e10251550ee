; all: reject
// The callee of a call under a lock runs under it: a helper call there is do_check's
// "function calls are not allowed while holding a lock" (v6.7 refused the static call
// itself with the same words).

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
call f	; error(legacy): function calls are not allowed while holding a lock
r1 = r6
call bpf_spin_unlock
out:
r0 = 0
exit
f:
call bpf_get_prandom_u32	; error(upstream, cleanup, cleanup-v2, runtime): function calls are not allowed while holding a lock
exit
