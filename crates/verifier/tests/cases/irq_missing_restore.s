// progs/irq.c irq_restore_missing_1: leaving with IRQs disabled.
// expect: reject
// expect-msg: BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r0 = 0
	exit
