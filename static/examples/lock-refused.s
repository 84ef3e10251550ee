// A spin lock is still refused: unwinding cannot release it.
//
// Every mode rejects the throw: the kernel refuses any call while a bpf_spin_lock is held
// ("function calls are not allowed while holding a lock").
.ctx tc
.map locks array key=4 value=8 max_entries=1

	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[locks] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r6 = r0
	r1 = r6
	call bpf_spin_lock
	r1 = 1
	call bpf_throw
	r1 = r6
	call bpf_spin_unlock
out:
	r0 = 0
	exit
