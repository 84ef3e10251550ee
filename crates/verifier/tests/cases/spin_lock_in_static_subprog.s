; upstream, cleanup, cleanup-v2, runtime: accept
; legacy: reject
// verifier_spin_lock.c "spin_lock: test10 lock in subprog without unlock" (6.9 on: "Allow
// calling static subprogs while holding a bpf_spin_lock"): a static function is verified in
// its caller's state, so it may take the lock and return with it held, for the caller to
// release. (A global function may not be called under the lock: global_call_spin_lock.s.)
.ctx cgroup_skb
.map m array key=4 value=8 max_entries=1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[m] ll
	call bpf_map_lookup_elem
	if r0 != 0 goto l0
	exit
l0:
	r6 = r0
	r1 = r0
	r1 += 4
	call lock_it
	r1 = r6
	r1 += 4
	call bpf_spin_unlock
	r0 = 1
	exit
lock_it:
	call bpf_spin_lock
	r0 = 0
	exit	; error(legacy): bpf_spin_unlock is missing
