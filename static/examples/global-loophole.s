// The global-subprog loophole.
//
// main holds an object and calls a global function that may throw. Global functions are
// verified on their own and "assumed valid" at call sites, so upstream v6.7 (`legacy`)
// accepts this and the object leaks when the exception unwinds past main. `upstream`
// explores an exception exit at the call site and refuses (Unreleased reference); `cleanup`
// records a descriptor for the call site (fp-8: object) and the unwinder drops it.
// (The kernel selftest reject_global_subprog_throw_with_reference.)
.ctx tc
.globl global_may_throw(ctx)

	r6 = r1
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0		// keep the object on the stack
	r1 = r6
	call global_may_throw
	r1 = *(u64 *)(r10 - 8)
	call bpf_obj_drop
out:
	r0 = 0
	exit

global_may_throw:
	r0 = *(u32 *)(r1 + 0)		// skb->len
	if r0 < 1000 goto throw
	r0 = 0
	exit
throw:
	r1 = 3
	call bpf_throw
	r0 = 0
	exit
