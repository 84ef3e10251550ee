; kernel: progs/exceptions_fail.c reject_throwing_exception_cb (__failure __msg("cannot be called from callback subprog"))
; all: reject
; The exception callback itself throws.
.ctx tc
.globl throwing_exception_cb(scalar)
.exception_callback throwing_exception_cb

	r0 = 0
	exit

throwing_exception_cb:
	r1 = 0
	call bpf_throw	; error: cannot be called from callback subprog
	r0 = 0
	exit
