; all: reject
// check_max_stack_depth_subprog: a throw in a static function that a bpf_loop callback calls
// is refused with the function that holds the throw as M (the walk's idx), not the callback:
// "bpf_throw kfunc (insn 13) cannot be called from callback subprog 2".
.ctx tc
	r1 = 2
	r2 = loop_cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
loop_cb:
	r1 = 0
	call static_throws
	r0 = 0
	exit
static_throws:
	r1 = 5
	call bpf_throw	; error: bpf_throw kfunc (insn 13) cannot be called from callback subprog 2
	r0 = 0
	exit
