; all: reject
// check_max_stack_depth_subprog: a tail call unwinds the current frame but not its callers',
// so a subprogram that tail calls may have at most 255 bytes of stack above it ("tail_calls
// are not allowed when call stack of previous frames is 256 bytes. Too large"). Reported at
// the function's first instruction, after every path was verified.
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r2 = 0
	*(u64 *)(r10 - 256) = r2
	call callee
	r0 = 0
	exit
callee:
	r2 = map[pa] ll	; error: tail_calls are not allowed when call stack of previous frames is 256 bytes. Too large
	r3 = 0
	call bpf_tail_call
	r0 = 1
	exit
