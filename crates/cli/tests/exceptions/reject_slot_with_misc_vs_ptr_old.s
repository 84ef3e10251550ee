; kernel: RFC patch 14 progs/exceptions_cleanup_fail.c reject_slot_with_misc_vs_ptr_old (__failure __msg("Unreleased reference"))
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: reject
; runtime:    accept retval=0 releases=1 throws=1
; void *p = bpf_ringbuf_reserve(); if (ctx->protocol) p = (void *)bpf_ktime_get_ns(); throw.
; On the second path the only copy of the record is overwritten: it is held nowhere, so no
; descriptor can cover it (also in cleanup-v2: nothing conflicts at a merge, the reference is
; lost). The run-time table still holds it.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r7 = r1
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r6 = r0
	r2 = *(u32 *)(r7 + 16)		// ctx->protocol
	if r2 == 0 goto throw
	call bpf_ktime_get_ns
	r6 = r0
throw:
	r1 = 0
	call bpf_throw	; log(upstream, cleanup, cleanup-v2): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream, cleanup, cleanup-v2): bpf_throw would lead to reference leak
	r0 = 1
	if r6 == 0 goto out
	r0 = 0
out:
	exit
