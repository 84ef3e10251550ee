; cleanup: accept
// progs/irq.c: saves and restores in reverse order are fine.
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = r10
	r1 += -16
	call bpf_local_irq_save
	r1 = r10
	r1 += -16
	call bpf_local_irq_restore
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
