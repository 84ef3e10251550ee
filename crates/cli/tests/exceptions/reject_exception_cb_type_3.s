; kernel: progs/exceptions_fail.c reject_exception_cb_type_3 (__failure __msg("exception cb only supports single integer argument"))
; all: reject
; The exception callback takes two integers.
.ctx tc
.globl exception_cb_bad_arg_2(scalar, scalar)
.exception_callback exception_cb_bad_arg_2

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_bad_arg_2:
	r0 = 0	; error: exception cb only supports single integer argument
	exit
