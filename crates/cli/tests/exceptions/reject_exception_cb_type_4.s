; kernel: progs/exceptions_fail.c reject_exception_cb_type_4 (__success: one small integer argument)
; all: accept retval=0 throws=1
; The callback takes one `int`: accepted; it returns 0.
.ctx tc
.globl exception_cb_ok_arg_small(scalar)
.exception_callback exception_cb_ok_arg_small

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_ok_arg_small:
	r0 = 0
	exit
