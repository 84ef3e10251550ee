; all: reject
// check_max_stack_depth_subprog: a timer callback (is_async_cb) is a root of its own walk and
// a callback (exceptions_fail.c reject_async_callback_throw throws in its body); through a
// global function the throw is refused the same way:
// "bpf_throw kfunc (insn 19) cannot be called from callback subprog 2".
.ctx tc
.globl global_throws(scalar)
.map m array key=4 value=16 max_entries=1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[m] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	r2 = timer_cb ll
	call bpf_timer_set_callback
out:
	r0 = 0
	exit
timer_cb:
	r1 = 0
	call global_throws
	r0 = 0
	exit
global_throws:
	r1 = 5
	call bpf_throw	; error: bpf_throw kfunc (insn 19) cannot be called from callback subprog 2
	r0 = 0
	exit
