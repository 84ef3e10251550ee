; kernel: none; the RFC review's double-free question (Zingerman on patch 11; reference §4.2): one resource held in two places at a throw
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=5 releases=1 throws=1
; cleanup-v2: accept retval=5 releases=1 throws=1
; runtime:    accept retval=5 releases=1 throws=1
; The object is in fp-8 and in R6 at the throw. The descriptor describes it once (patch 11:
; release_reference turns the other copies into scalars; the second copy is not a second
; resource), so the unwinder drops it exactly once.
.ctx tc

	r1 = 8
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r6 = r0
	r1 = 5
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
	r1 = r6
	call bpf_obj_drop
out:
	r0 = 0
	exit
