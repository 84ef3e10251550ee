; kernel: progs/exceptions_fail.c reject_with_cb_reference (__failure __msg("Unreleased reference"); the RFC changes it to "cannot be called from callback subprog 1")
; all: reject
; main holds an object (in R6, live across bpf_loop) and a bpf_loop callback throws. The
; callback is symbolically executed inline, so without descriptors the reference is found
; first; the cleanup modes cover R6 and then refuse the throw from a callback (after
; do_check in the kernel), as runtime does.
.ctx tc

	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	r1 = 5
	r2 = subprog_cb_ref ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r1 = r6
	call bpf_obj_drop
out:
	r0 = 0
	exit

subprog_cb_ref:
	r1 = 0
	call bpf_throw	; log(upstream): Unreleased reference id=1 alloc_insn=1
		;^ error(legacy): Unreleased reference id=1 alloc_insn=1
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup, cleanup-v2, runtime): bpf_throw kfunc (insn 15) cannot be called from callback subprog 1
	r0 = 0
	exit
