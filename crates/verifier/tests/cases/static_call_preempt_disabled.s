; all: accept
// The neighbour that stays accepted (preempt_lock.c preempt_balance_subprog_test's shape):
// a static function is verified in the caller's state, so it may be called with preemption
// disabled.
.ctx tc
	call bpf_preempt_disable
	call sf
	call bpf_preempt_enable
	r0 = 0
	exit
sf:
	r0 = 0
	exit
