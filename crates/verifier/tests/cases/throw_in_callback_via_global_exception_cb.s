; all: reject
// check_max_stack_depth_subprog: the exception callback is a callback (mark_subprog_exc_cb
// sets is_cb and is_async_cb) walked from its own root, so a throw in a global function it
// calls is refused like one in its own body (exceptions_fail.c reject_throwing_exception_cb):
// "bpf_throw kfunc (insn 9) cannot be called from callback subprog 2".
.ctx tc
.globl exc_cb(scalar)
.globl global_throws(scalar)
.exception_callback exc_cb
	r1 = 1
	call bpf_throw
	r0 = 0
	exit
exc_cb:
	r1 = 0
	call global_throws
	r0 = 0
	exit
global_throws:
	r1 = 5
	call bpf_throw	; error: bpf_throw kfunc (insn 9) cannot be called from callback subprog 2
	r0 = 0
	exit
