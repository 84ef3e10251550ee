; all: reject
// exceptions_fail.c reject_with_cb_reference's shape, through a global function: a bpf_loop
// callback holds an object when it calls a global function that throws. upstream (the
// loophole's fix) explores the exception exit at the call, and the object leaks first
// ("bpf_throw would lead to reference leak"); legacy does not see the global's throw at the
// call, and the cleanup modes release the object through the frame descriptor, so they reach
// check_max_stack_depth_subprog's refusal after do_check ("bpf_throw kfunc (insn 21) cannot
// be called from callback subprog 2"), as the RFC's selftest expects of its cleanup.
.ctx tc
.globl global_throws(scalar)
	r1 = 2
	r2 = loop_cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
loop_cb:
	r1 = 8
	r2 = 0
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	r1 = 0
	call global_throws	; error(upstream): bpf_throw would lead to reference leak
	r1 = r6
	r2 = 0
	call bpf_obj_drop
out:
	r0 = 0
	exit
global_throws:
	r1 = 5
	call bpf_throw	; error(legacy, cleanup, cleanup-v2, runtime): bpf_throw kfunc (insn 21) cannot be called from callback subprog 2
	r0 = 0
	exit
