; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_distinct_ptr_old (__failure __msg("frame_desc: merge: failed to merge old and new frame desc entry"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: accept retval=0 releases=1 throws=1
; runtime:    accept retval=0 releases=1 throws=1
; void *p = ctx->len ? <one kind> : <another kind>; bpf_throw(0); return !p; -- p is live
; across the throw, so it is in R6, holding a different resource type on each path (neither
; NULL-checked). cleanup refuses the merge; cleanup-v2 gives each acquisition its own
; zero-initialised slot and releases the object (ctx->len is 64).
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r2 = *(u32 *)(r1 + 0)		// ctx->len
	if r2 == 0 goto other
	r1 = 8
	call bpf_obj_new
	r6 = r0
	goto throw
other:
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
