; all: reject
// STACK_IRQ_FLAG: the slot bpf_local_irq_save wrote holds the kernel's saved IRQ state. The
// program may not read it ("invalid read from stack"), so one slot's flags cannot be copied
// over another's.
// Found by review (issue 12): accepted in every mode, so the restore used forged flags; Linux
// 6.18.44 refuses it with this message (`unwind verify --mode upstream --compare-kernel`).
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = r10
	r1 += -16
	call bpf_local_irq_save
	r2 = *(u64 *)(r10 - 16)	; error: invalid read from stack off -16+0 size 8
	*(u64 *)(r10 - 8) = r2
	r1 = r10
	r1 += -16
	call bpf_local_irq_restore
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
