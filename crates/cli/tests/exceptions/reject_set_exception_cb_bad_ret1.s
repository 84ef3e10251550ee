; kernel: progs/exceptions_fail.c reject_set_exception_cb_bad_ret1 (?fentry/bpf_check; __failure __msg("At program exit the register R0 has unknown scalar value should"))
; all: reject
; A tracing (fentry) program must return 0; its exception callback returns the cookie.
.ctx tracing
.globl exception_cb_bad_ret(scalar)
.exception_callback exception_cb_bad_ret

	r0 = 0
	exit

exception_cb_bad_ret:
	r0 = r1
	exit	; error: At program exit the register R0 has unknown scalar value should
