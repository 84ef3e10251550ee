; all: reject
// check_max_stack_depth_subprog follows a callback's address load (bpf_pseudo_func) as a
// frame on top of the function that takes it: bpf_loop runs the callback on the caller's
// stack ("combined stack size of 2 calls is 608. Too large").
.ctx tc
	r1 = 0
	*(u64 *)(r10 - 400) = r1
	r1 = 2
	r2 = loop_cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
loop_cb:
	r1 = 0	; error: combined stack size of 2 calls is 608. Too large
	*(u64 *)(r10 - 200) = r1
	r0 = 0
	exit
