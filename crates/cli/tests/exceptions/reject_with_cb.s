; kernel: progs/exceptions_fail.c reject_with_cb (__failure __msg("cannot be called from callback"))
; all: reject
; bpf_loop(5, subprog_cb_ref, NULL, 0): the callback throws, nothing is held.
.ctx tc

	r1 = 5
	r2 = subprog_cb_ref ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit

subprog_cb_ref:
	r1 = 0
	call bpf_throw	; error: bpf_throw kfunc (insn 9) cannot be called from callback subprog 1
	r0 = 0
	exit
