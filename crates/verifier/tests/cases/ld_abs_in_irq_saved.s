; all: reject
// check_ld_abs through check_resource_leak (after 6.12, when IRQ state tracking came):
// refused with a saved IRQ state ("BPF_LD_[ABS|IND] cannot be used inside
// bpf_local_irq_save-ed region").
.ctx tc
	r6 = r1
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r0 = *(u32 *)skb[0]	; error: BPF_LD_[ABS|IND] cannot be used inside bpf_local_irq_save-ed region
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
