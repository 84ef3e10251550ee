; cleanup: reject
// progs/irq.c irq_restore_ooo: restoring the older flags first.
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = r10
	r1 += -16
	call bpf_local_irq_save
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore	; error: cannot restore irq state out of order, expected id=2 acquired at insn_idx=5
	r0 = 0
	exit
