; kernel: RFC patch 14 progs/exceptions_cleanup.c exceptions_cleanup_null_or_ptr_do_null (run: retval 0xeB9F, no resource left)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=60319 releases=0 throws=1
; cleanup-v2: accept retval=60319 releases=0 throws=1
; runtime:    accept retval=60319 releases=0 throws=1
; fp-8 = NULL; if (!ctx->len) fp-8 = bpf_ringbuf_reserve(); bpf_throw(VAL). The test packet
; has len 64: fp-8 stays NULL and the unwinder skips it.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r6 = r1
	r1 = 0
	*(u64 *)(r10 - 8) = r1
	r2 = *(u32 *)(r6 + 0)		// ctx->len
	if r2 != 0 goto throw
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	*(u64 *)(r10 - 8) = r0
throw:
	r1 = 0xeb9f
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto out
	r2 = 0
	call bpf_ringbuf_discard
out:
	r0 = 0
	exit
