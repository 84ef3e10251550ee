; kernel: progs/exceptions_fail.c reject_exception_cb_type_5 (__failure __msg("exception cb cannot return void"))
; legacy:     reject "exception cb cannot return void"
; upstream:   reject "exception cb cannot return void"
; cleanup:    reject "exception cb cannot return void"
; cleanup-v2: reject "exception cb cannot return void"
; runtime:    reject "exception cb cannot return void"
; The exception callback is declared void (`.globl NAME(ARGS) void`, what BTF says in C).
.ctx tc
.globl exception_cb_bad_ret_type5(scalar) void
.exception_callback exception_cb_bad_ret_type5

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_bad_ret_type5:
	exit
