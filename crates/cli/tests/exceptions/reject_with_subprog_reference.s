; kernel: progs/exceptions_fail.c reject_with_subprog_reference (__failure __msg("Unreleased reference"); the RFC changes it to __success)
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: reject
; runtime:    accept retval=0 releases=1 throws=1
; A static subprog allocates and throws with the object only in R0. The RFC's __success
; comes from patch 11 dropping the leak check for non-main frames (reference §4.2): the object
; would leak at run time. Unwind's cleanup modes keep refusing a reference held only in R0-R5
; (SPEC §4); the run-time table releases it.
.ctx tc

	call subprog_ref
	r0 += 1
	exit

subprog_ref:
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r1 = 0
	call bpf_throw	; log(upstream, cleanup, cleanup-v2): Unreleased reference id=1 alloc_insn=4
		;^ error(legacy): Unreleased reference id=1 alloc_insn=4
		;^ error(upstream, cleanup, cleanup-v2): bpf_throw would lead to reference leak
out:
	r0 = 0
	exit
