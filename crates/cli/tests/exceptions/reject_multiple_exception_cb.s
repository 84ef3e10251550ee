; kernel: progs/exceptions_fail.c reject_multiple_exception_cb (__failure __msg("multiple exception callback tags for main subprog"))
; all: reject
.ctx tc
.globl exception_cb1(scalar)
.globl exception_cb2(scalar)
.exception_callback exception_cb1
.exception_callback exception_cb2

	r1 = 0	; error: multiple exception callback tags for main subprog
	call bpf_throw
	r0 = 0
	exit

exception_cb1:
	r0 = r1
	exit

exception_cb2:
	r0 = r1
	exit
