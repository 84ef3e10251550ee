; legacy, upstream, cleanup: reject
; cleanup-v2, runtime: accept
; log(cleanup-v2): cleanup-v2: the bpf_obj_new at line 20 conflicts: its resource gets slot fp-32 in main()
; log(cleanup-v2): cleanup-v2: the bpf_ringbuf_reserve at line 28 conflicts: its resource gets slot fp-40 in main()
// cleanup-v2 places its dedicated slots below the function's stack depth. The only access
// to fp-24 is a read through r8 (a copy of r10, so static_stack_bound does not see it):
// with stack_depth grown by writes only (8), the slots went to fp-16 and fp-24, and the
// rewrite's spill of the record landed in the slot the program reads. The kernel's
// grow_stack_state runs for reads too (check_stack_access_within_bounds, Linux >= 6.8), so
// the depth is 24 and the slots are fp-32 and fp-40.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r6 = r1
	r8 = r10
	r8 += -24
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
	r9 = *(u64 *)(r8 + 0)
	r1 = 2
	call bpf_throw	; error(legacy): Unreleased reference id=1 alloc_insn=6
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
out:
	r0 = 0
	exit
