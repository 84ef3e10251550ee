; all: reject
// check_resource_leak with the "tail_call" prefix (after 6.12, when IRQ state tracking came):
// "tail_call cannot be used inside bpf_local_irq_save-ed region".
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r6 = r1
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = r6
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call	; error: tail_call cannot be used inside bpf_local_irq_save-ed region
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
