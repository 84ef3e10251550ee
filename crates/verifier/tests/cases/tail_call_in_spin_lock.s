; all: reject
// do_check on BPF_CALL with a spin lock held: every helper but bpf_spin_unlock is refused,
// bpf_tail_call too ("function calls are not allowed while holding a lock").
.ctx tc
.map m array key=4 value=8 max_entries=1
.map pa prog_array key=4 value=4 max_entries=4
	r6 = r1
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
	r1 = r6
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call	; error: function calls are not allowed while holding a lock
	r1 = r7
	call bpf_spin_unlock
out:
	r0 = 0
	exit
