; legacy: accept
// The loophole as upstream v6.7 has it: the global function is "assumed valid", its throw
// is not seen at the call site, and the program is accepted (it leaks at run time).
.ctx tc
.globl global_may_throw(ctx)
	r6 = r1
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r1 = r6
	call global_may_throw
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
