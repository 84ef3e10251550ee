; legacy: reject
; upstream, cleanup, cleanup-v2, runtime: accept
// Since v6.9 ("Only global subprogs cannot be called with a lock held", check_func_call) a
// static function may be called under a bpf_spin_lock: do_check's "function calls are not
// allowed while holding a lock" covers helpers and kfuncs only, and the lock must be
// released by the program's exit (check_resource_leak with check_lock = !curframe), not the
// callee's. v6.7 (legacy) refused the call.

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
r1 = 0
call g	; error(legacy): function calls are not allowed while holding a lock
r1 = r6
call bpf_spin_unlock
out:
r0 = 0
exit
g:
r0 = 0
exit
