; kernel: progs/exceptions_fail.c reject_with_reference (__failure __msg("Unreleased reference")); also the RFC's exceptions_cleanup_fail.c reject_with_reference
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: reject
; runtime:    accept retval=0 releases=1 throws=1
; f = bpf_obj_new(); if (!f) return 0; bpf_throw(0); -- f is dead after the throw, so it
; lives only in R0, which the call clobbers: no frame descriptor can cover it, even in the
; cleanup modes (the RFC keeps this a failure test). The run-time table holds it wherever it is.
.ctx tc

	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r1 = 0
	call bpf_throw	; log(upstream, cleanup, cleanup-v2): Unreleased reference id=1 alloc_insn=1
		;^ error(legacy): Unreleased reference id=1 alloc_insn=1
		;^ error(upstream, cleanup, cleanup-v2): bpf_throw would lead to reference leak
out:
	r0 = 0
	exit
