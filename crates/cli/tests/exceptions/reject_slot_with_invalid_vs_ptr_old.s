; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_invalid_vs_ptr_old (__failure __msg("Unreleased reference"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: reject
; runtime:    accept retval=0 releases=1 throws=1
; The RFC's asm: the record is in R6, then R6 is overwritten from a never-written stack slot
; if ctx->len (the default packet's case): the record is lost.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = r1
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r6 = r0
	r4 = *(u32 *)(r7 + 0)
	if r4 == 0 goto jump2
	r6 = *(u64 *)(r10 - 8)
jump2:
	r0 = 0
	r1 = 0
	call bpf_throw	; log(upstream, cleanup, cleanup-v2): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream, cleanup, cleanup-v2): bpf_throw would lead to reference leak
	r0 = 0
	exit
