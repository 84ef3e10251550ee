; all: reject
// check_func_call: "global function calls are not allowed while holding a lock,
// use static function instead" (a global callee is verified without the caller's lock);
// v6.7 (legacy) refused every bpf-to-bpf call under a lock in do_check: "function calls are
// not allowed while holding a lock". static_call_holding_lock.s is the static neighbour.

.map m array key=4 value=8 max_entries=1
.globl g(scalar)
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
call g	; error(upstream, cleanup, cleanup-v2, runtime): global function calls are not allowed while holding a lock,
	;^ error(legacy): function calls are not allowed while holding a lock
r1 = r6
call bpf_spin_unlock
out:
r0 = 0
exit
g:
r0 = 0
exit
