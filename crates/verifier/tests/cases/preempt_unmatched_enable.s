; cleanup: reject
// progs/preempt_lock.c preempt_balance: an enable without a disable.
.ctx tc
	call bpf_preempt_enable	; error: unmatched attempt to enable preemption (kernel function bpf_preempt_enable)
	r0 = 0
	exit
