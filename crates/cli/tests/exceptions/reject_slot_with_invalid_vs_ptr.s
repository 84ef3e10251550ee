; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_invalid_vs_ptr (__failure __msg("frame_desc: merge: failed to merge old and new frame desc entry"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: accept retval=0 releases=1 throws=1
; runtime:    accept retval=0 releases=1 throws=1
; The RFC's asm: R6 is loaded from a never-written stack slot (an unknown value for a
; privileged program), and overwritten with a record if ctx->len. cleanup-v2 moves the record
; to its own slot.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = r1
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	r4 = *(u32 *)(r7 + 0)
	r6 = *(u64 *)(r10 - 8)
	if r4 == 0 goto jump
	call bpf_ringbuf_reserve
	r6 = r0
jump:
	r0 = 0
	r1 = 0
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
	r0 = 0
	exit
