; kernel: progs/exceptions_fail.c reject_exception_cb_type_2 (__failure __msg("exception cb only supports single integer argument"))
; all: reject
; The exception callback takes no argument.
.ctx tc
.globl exception_cb_bad_arg_0
.exception_callback exception_cb_bad_arg_0

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_bad_arg_0:
	r0 = 0	; error: exception cb only supports single integer argument
	exit
