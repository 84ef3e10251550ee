; all: reject
// A may_goto that jumps to itself: the path that takes the jump reaches the same insn with
// the same may_goto_depth, is_state_visited's "infinite loop detected at insn 1" (the
// selftest verifier_iterating_callbacks/may_goto_self).

.ctx socket
	r0 = *(u32 *)(r10 - 4)
l0:
	may_goto l0	; error: infinite loop detected at insn 1
	if r0 > 10 goto l0
	r0 = 0
	exit
