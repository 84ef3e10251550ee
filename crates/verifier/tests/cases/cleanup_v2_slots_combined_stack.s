; legacy, upstream, cleanup, cleanup-v2: reject
; runtime: accept
// cleanup-v2's slots are stack: placed below f's 248 bytes they make it 264, and the
// rewritten program fails check_max_stack_depth, "combined stack size of 2 calls is 528. Too
// large" (256 + 288), with the slots named. What fails is the kernel's check on the program
// that would run, so the verdict is its message, not cleanup's merge failure.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096
	r6 = r1
	*(u64 *)(r10 - 256) = 0
	r1 = r6
	call f
	r0 = 0
	exit
f:
	r6 = r1	; error(cleanup-v2): combined stack size of 2 calls is 528. Too large (cleanup-v2: with the dedicated slots fp-256 in f(), fp-264 in f())
	*(u64 *)(r10 - 248) = 0
	r2 = *(u32 *)(r6 + 0)
	if r2 > 100 goto record
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	goto check
record:
	r1 = map[ringbuf] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
check:
	r1 = 2
	call bpf_throw	; error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
out:
	r0 = 0
	exit
