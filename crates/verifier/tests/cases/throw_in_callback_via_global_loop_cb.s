; all: reject
// check_max_stack_depth_subprog (Linux 6.7 on, so legacy's v6.7 as well as upstream): the
// walk of the call graph goes through calls to global functions, and a bpf_throw reached
// from a callback subprog (is_cb, set when bpf_loop verified it) is refused after do_check:
// "bpf_throw kfunc (insn N) cannot be called from callback subprog M", N the throw and M the
// function that holds it. Global functions are verified on their own, so no path sees this
// throw under the callback's frame; legacy, which does not see a global's throw at its call
// sites, accepted it before.
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
	r1 = 0
	call global_throws
	r0 = 0
	exit
global_throws:
	r1 = 5
	call bpf_throw	; error: bpf_throw kfunc (insn 13) cannot be called from callback subprog 2
	r0 = 0
	exit
