; kernel: progs/exceptions_fail.c reject_exception_throw_cb_diff (__failure __msg("cannot be called from callback"))
; all: reject
; Two callbacks, chosen by ctx->protocol, both throw.
.ctx tc

	r6 = *(u32 *)(r1 + 16)		// ctx->protocol
	r1 = 5
	r3 = 0
	r4 = 0
	if r6 == 0 goto other
	r2 = loop_cb1 ll
	call bpf_loop
	goto out
other:
	r2 = loop_cb2 ll
	call bpf_loop
out:
	r0 = 0
	exit

loop_cb1:
	r1 = 0
	call bpf_throw	; error: cannot be called from callback subprog
	r0 = 0
	exit

loop_cb2:
	r1 = 0
	call bpf_throw
	r0 = 0
	exit
