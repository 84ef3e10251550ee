; cleanup: reject
// progs/preempt_lock.c preempt_lock_missing_2 (Linux 6.12's wording; today's is
// "BPF_EXIT instruction in main prog cannot be used inside bpf_preempt_disable-ed region").
.ctx tc
	call bpf_preempt_disable
	call bpf_preempt_disable
	r0 = 0
	exit	; error: 2 bpf_preempt_enable(s) are missing
