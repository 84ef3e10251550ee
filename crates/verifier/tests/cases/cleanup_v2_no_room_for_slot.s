; legacy, upstream, cleanup, cleanup-v2: reject
; runtime: accept
; log(cleanup-v2): cleanup-v2: the rewrite failed: no room on the stack for the slot of the bpf_obj_new at line 15: invalid write to stack R10 off=-520 size=8
// main already uses all 512 bytes (the store at fp-512), so cleanup-v2 cannot place a
// dedicated slot: the conflict stands with cleanup's merge failure, and the reason says what
// failed in the kernel's words for it: the slot's store at fp-520 is
// check_stack_access_within_bounds's "invalid write to stack R10 off=-520 size=8".
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096
	r6 = r1
	*(u64 *)(r10 - 512) = 0
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
	call bpf_throw	; error(legacy): Unreleased reference id=1 alloc_insn=5
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
		;^ error(cleanup-v2): (cleanup-v2: no room on the stack for the slot of the bpf_obj_new at line 15: invalid write to stack R10 off=-520 size=8)
out:
	r0 = 0
	exit
