; cleanup: reject
// progs/irq.c irq_restore_missing_1: leaving with IRQs disabled.
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r0 = 0
	exit	; error: BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
