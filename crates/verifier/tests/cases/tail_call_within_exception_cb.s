; all: reject
// check_max_stack_depth_subprog's tail_call_reachable marking: a function that the exception
// callback calls may not hold a tail call ("cannot tail call within exception cb"): the
// callback runs after the program's frames were unwound, in place of the program's return.
// The walk is static: the tail call here is on a branch no path takes (the callback has no
// ctx to pass), and still refused.
.ctx tc
.globl exc_cb(scalar)
.exception_callback exc_cb
.map pa prog_array key=4 value=4 max_entries=4
	r1 = 1
	call bpf_throw
	r0 = 0
	exit
exc_cb:
	call helper_tc
	r0 = 0
	exit
helper_tc:
	r0 = 0
	if r0 == 0 goto out
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call	; error: cannot tail call within exception cb
out:
	exit
