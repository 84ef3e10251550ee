; all: reject
// check_max_stack_depth_subprog walks every bpf-to-bpf call, to global functions too: a
// global function runs on top of its caller's stack, so the two stacks together must fit in
// 512 bytes ("combined stack size of 2 calls is 608. Too large": 400 and 200 bytes, each
// rounded up to 16 as round_up_stack_depth does with a JIT). Global callees were left out of
// the walk, and this was accepted.
.ctx tc
.globl gf(scalar)
	r1 = 0
	*(u64 *)(r10 - 400) = r1
	call gf
	r0 = 0
	exit
gf:
	r1 = 0	; error: combined stack size of 2 calls is 608. Too large
	*(u64 *)(r10 - 200) = r1
	r0 = 0
	exit
