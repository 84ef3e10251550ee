; all: accept
// check_cond_jmp_op for may_goto: the path takes the jump, the fall-through is queued with
// may_goto_depth + 1; is_state_visited at a may_goto insn (is_may_goto_insn_at) prunes a state
// equal to one with another may_goto_depth, and the infinite-loop check compares only states
// of equal may_goto_depth. So a loop around a may_goto converges (the selftest
// verifier_iterating_callbacks/ja_and_may_goto), where it was "infinite loop detected at insn 1".

.ctx socket
head:
	may_goto out
	goto head
out:
	r0 = 0
	exit
