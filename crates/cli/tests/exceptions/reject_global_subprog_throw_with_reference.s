; kernel: progs/exceptions_fail.c reject_global_subprog_throw_with_reference (May 2026; __failure __msg("Unreleased reference")); RFC patch 03 reject_exception_throw_ref_call_throwing_global
; legacy:     accept retval=0 leaks=1 throws=1
; upstream:   reject
; cleanup:    accept retval=0 releases=1 throws=1
; cleanup-v2: accept retval=0 releases=1 throws=1
; runtime:    accept retval=0 releases=1 throws=1
; main holds an object (in R6: it is live across the call) and, if ctx->protocol, calls a
; global subprog that throws if ctx->len. legacy (v6.7) assumes the global valid and leaks
; the object at run time; upstream explores the exception exit at the call site and refuses;
; the cleanup modes describe R6 at the call site and the unwinder drops the object.
.ctx tc
.globl global_subprog_may_throw(ctx)

	r7 = r1
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	r2 = *(u32 *)(r7 + 16)		// ctx->protocol
	if r2 == 0 goto drop
	r1 = r7
	call global_subprog_may_throw	; log(upstream): may throw exception, exploring program path where exception is thrown
		;^ log(upstream): Unreleased reference id=1 alloc_insn=2
		;^ error: bpf_throw would lead to reference leak
drop:
	r1 = r6
	call bpf_obj_drop
out:
	r0 = 0
	exit

global_subprog_may_throw:
	r2 = *(u32 *)(r1 + 0)		// ctx->len
	if r2 == 0 goto ret
	r1 = 0
	call bpf_throw
ret:
	r0 = 0
	exit
