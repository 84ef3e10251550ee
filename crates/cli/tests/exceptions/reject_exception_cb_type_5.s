; kernel: progs/exceptions_fail.c reject_exception_cb_type_5 (__failure __msg("exception cb cannot return void"))
; all: reject
; The exception callback is declared void (`.globl NAME(ARGS) void`, what BTF says in C).
.ctx tc
.globl exception_cb_bad_ret_type5(scalar) void
.exception_callback exception_cb_bad_ret_type5

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_bad_ret_type5:
	exit	; error: exception cb cannot return void
