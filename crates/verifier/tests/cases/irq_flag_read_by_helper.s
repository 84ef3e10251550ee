; all: reject
// STACK_IRQ_FLAG: the slot bpf_local_irq_save wrote holds the kernel's saved IRQ state. A helper
// may not read it either (here as a map key).
// Found by review (issue 12): accepted in every mode, so the restore used forged flags; Linux
// 6.18.44 refuses it with this message (`unwind verify --mode upstream --compare-kernel`).
.ctx tc
.map m hash key=8 value=8 max_entries=4
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = map[m] ll
	r2 = r10
	r2 += -8
	call bpf_map_lookup_elem	; error: invalid read from stack R2 off -8+0 size 8
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
