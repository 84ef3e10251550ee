; kernel: RFC patch 14 progs/exceptions_cleanup.c reject_slot_with_zero_vs_ptr_ok (a success test despite its name: run: retval 0xeB9F in the harness; this asm throws 0)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=0 releases=0 throws=1
; cleanup-v2: accept retval=0 releases=0 throws=1
; runtime:    accept retval=0 releases=0 throws=1
; The RFC's asm: fp-8 = 0, then a record is reserved into fp-8 only if ctx->len == 0. Zero
; merges with the record. The default packet has len 64: nothing is reserved.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = *(u32 *)(r1 + 0)
	r0 = 0
	*(u64 *)(r10 - 8) = r0
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	if r7 != 0 goto jump4
	call bpf_ringbuf_reserve
	*(u64 *)(r10 - 8) = r0
jump4:
	r0 = 0
	r1 = 0
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
	r0 = 0
	exit
