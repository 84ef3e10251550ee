; cleanup: accept
// progs/preempt_lock.c: nested disable/enable pairs are fine.
.ctx tc
	call bpf_preempt_disable
	call bpf_preempt_disable
	call bpf_preempt_enable
	call bpf_preempt_enable
	r0 = 0
	exit
