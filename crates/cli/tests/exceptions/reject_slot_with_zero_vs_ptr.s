; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_zero_vs_ptr (__failure __msg("Unreleased reference"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: reject
; runtime:    accept retval=0 releases=1 throws=1
; The RFC's asm: the record is spilled to fp-8, and overwritten with 0 if ctx->len == 0: on
; that path the record is lost. (The default packet has len 64: fp-8 keeps it.)
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = *(u32 *)(r1 + 0)
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	*(u64 *)(r10 - 8) = r0
	r0 = 0
	if r7 != 0 goto jump3
	*(u64 *)(r10 - 8) = r0
jump3:
	r0 = 0
	r1 = 0
	call bpf_throw	; log(upstream, cleanup, cleanup-v2): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream, cleanup, cleanup-v2): bpf_throw would lead to reference leak
	r0 = 0
	exit
