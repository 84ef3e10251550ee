; all: reject
// STACK_IRQ_FLAG: the slot bpf_local_irq_save wrote holds the kernel's saved IRQ state. A static
// callee writing over its caller's flags through a pointer destroys them too.
// Found by review (issue 12): accepted in every mode, so the restore used forged flags; Linux
// 6.18.44 refuses it with this message (`unwind verify --mode upstream --compare-kernel`).
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = r10
	r1 += -8
	call g
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore	; error: expected an initialized irq flag as arg#0
	r0 = 0
	exit
g:
	r2 = 0x1234
	*(u64 *)(r1 + 0) = r2
	r0 = 0
	exit
