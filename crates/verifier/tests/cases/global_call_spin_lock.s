; all: reject
// __check_func_call: a global function called with a spin lock held has its own wording,
// "global function calls are not allowed while holding a lock,\nuse static function
// instead" (a static one may be called there: static_call_under_spin_lock.s). v6.7
// (legacy) refused every call under a lock.
.ctx tc
.globl gf(scalar)
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
	r1 = 0
	call gf	; error(upstream, cleanup, cleanup-v2, runtime): global function calls are not allowed while holding a lock,
		;^ error(legacy): function calls are not allowed while holding a lock
	r1 = r7
	call bpf_spin_unlock
out:
	r0 = 0
	exit
gf:
	r0 = 0
	exit
