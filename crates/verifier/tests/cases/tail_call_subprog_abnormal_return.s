; all: reject
// has_abnormal_return (6.12.y: "Don't trust r0 bounds after BPF to BPF calls with abnormal
// returns"): a static subprogram that tail calls returns the target's result, whatever its
// own exit says, so the caller's R0 is unknown and its `r0 != 1` side is reachable.
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	call callee
	if r0 == 1 goto out
	r0 = r9	; error: R9 !read_ok
out:
	r0 = 0
	exit
callee:
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call
	r0 = 1
	exit
