; cleanup: reject
// progs/irq.c irq_restore_missing_2 shape: restoring flags never saved.
.ctx tc
	*(u64 *)(r10 - 8) = 0
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore	; error: expected an initialized irq flag as arg#0
	r0 = 0
	exit
