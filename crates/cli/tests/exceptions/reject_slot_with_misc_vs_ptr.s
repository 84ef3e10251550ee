; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_misc_vs_ptr (__failure __msg("frame_desc: merge: failed to merge old and new frame desc entry"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: accept retval=0 releases=1 throws=1
; runtime:    accept retval=0 releases=1 throws=1
; void *p = (void *)bpf_ktime_get_ns(); if (ctx->protocol) p = bpf_ringbuf_reserve(); throw.
; R6 holds an unknown scalar on one path and a record on the other: a scalar that is not
; known to be NULL is unmergeable with a pointer. cleanup-v2 moves the record to its own slot.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = r1
	call bpf_ktime_get_ns
	r6 = r0
	r2 = *(u32 *)(r7 + 16)		// ctx->protocol
	if r2 == 0 goto throw
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r6 = r0
throw:
	r1 = 0
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
	r0 = 1
	if r6 == 0 goto out
	r0 = 0
out:
	exit
