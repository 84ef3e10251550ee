; kernel: progs/exceptions_fail.c reject_exception_cb_call_global_func (__failure __msg("cannot call exception cb directly"))
; all: reject
; main calls a global function that calls the exception callback.
.ctx tc
.globl exception_cb1(scalar)
.globl global_func(ctx)
.exception_callback exception_cb1

	call global_func
	exit

global_func:
	r1 = *(u64 *)(r1 + 152)		// ctx->tstamp
	call exception_cb1	; error: cannot call exception cb directly
	exit

exception_cb1:
	r0 = r1
	exit
