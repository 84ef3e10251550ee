; upstream, cleanup, cleanup-v2, runtime: accept
; legacy: reject
// __check_func_call (6.9 on): only global functions are refused under a spin lock; a static
// one is verified in the caller's state and may run with the lock held.
.ctx tc
.map m array key=4 value=8 max_entries=1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[m] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r7 = r0
	r1 = r7
	call bpf_spin_lock
	r1 = 3
	call add_one	; error(legacy): function calls are not allowed while holding a lock
	r1 = r7
	call bpf_spin_unlock
out:
	r0 = 0
	exit
add_one:
	r0 = r1
	r0 += 1
	exit
