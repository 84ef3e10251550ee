; upstream: reject
// The global-subprog loophole closed (kernel 3d562d35a044, selftest
// reject_global_subprog_throw_with_reference): the call is an exception exit with the
// caller's state, which holds the object.
.ctx tc
.globl global_may_throw(ctx)
	r6 = r1
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r1 = r6
	call global_may_throw	; log: may throw exception, exploring program path where exception is thrown
		;^ log: Unreleased reference id=1 alloc_insn=2
		;^ error: bpf_throw would lead to reference leak
	r1 = *(u64 *)(r10 - 8)
	call bpf_obj_drop
out:
	r0 = 0
	exit
global_may_throw:
	r0 = *(u32 *)(r1 + 0)
	if r0 < 1000 goto throw
	r0 = 0
	exit
throw:
	r1 = 3
	call bpf_throw
	r0 = 0
	exit
