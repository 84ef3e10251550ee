; all: accept
// The neighbour that stays accepted: a global function that throws, called from the main
// program (not from a callback), is not refused by check_max_stack_depth_subprog; and the
// callback's address loaded in main is walked, but that callback does not throw.
.ctx tc
.globl global_throws(scalar)
	r1 = 2
	r2 = loop_cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r1 = 0
	call global_throws
	r0 = 0
	exit
loop_cb:
	r0 = 0
	exit
global_throws:
	r0 = 0
	if r1 != 7 goto out
	r1 = 0
	call bpf_throw
out:
	exit
