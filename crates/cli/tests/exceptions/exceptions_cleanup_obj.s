; kernel: RFC patch 14 progs/exceptions_cleanup.c exceptions_cleanup_obj (run: retval 0xeB9F, no resource left)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=60319 releases=1 throws=1
; cleanup-v2: accept retval=60319 releases=1 throws=1
; runtime:    accept retval=60319 releases=1 throws=1
; p = bpf_obj_new(); MARK_RESOURCE(&p, ..); bpf_throw(VAL); -- &p is taken, so p lives in a
; stack slot (not NULL-checked: the maybe-NULL pointer is described all the same).
.ctx tc

	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 8) = r0
	r1 = 0xeb9f
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
	r0 = *(u64 *)(r10 - 8)
	if r0 == 0 goto out
	r1 = r0
	call bpf_obj_drop
out:
	r0 = 0
	exit
