; kernel: progs/exceptions_fail.c reject_throwing_exception_cb (__failure __msg("cannot be called from callback subprog"))
; legacy:     reject "cannot be called from callback subprog"
; upstream:   reject "cannot be called from callback subprog"
; cleanup:    reject "cannot be called from callback subprog"
; cleanup-v2: reject "cannot be called from callback subprog"
; runtime:    reject "cannot be called from callback subprog"
; The exception callback itself throws.
.ctx tc
.globl throwing_exception_cb(scalar)
.exception_callback throwing_exception_cb

	r0 = 0
	exit

throwing_exception_cb:
	r1 = 0
	call bpf_throw
	r0 = 0
	exit
