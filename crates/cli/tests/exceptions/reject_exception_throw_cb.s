; kernel: progs/exceptions_fail.c reject_exception_throw_cb (__failure __msg("cannot be called from callback"))
; all: reject
.ctx tc

	r1 = 5
	r2 = loop_cb1 ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit

loop_cb1:
	r1 = 0
	call bpf_throw	; error: cannot be called from callback subprog
	r0 = 0
	exit
