; all: accept
// A bpf_loop callback that calls a global function: the checkpoint after the call sees the
// same state on every iteration of the callback. is_state_visited's infinite-loop check
// ("infinite loop detected at insn N") requires the same callback_unroll_depth as well, so
// the iterations are not a loop; they converge at the bpf_loop call (calls_callback).
.ctx tc
.globl helper_fn(scalar)
	r1 = 2
	r2 = loop_cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
loop_cb:
	r1 = 0
	call helper_fn
	r0 = 0
	exit
helper_fn:
	r0 = 0
	exit
