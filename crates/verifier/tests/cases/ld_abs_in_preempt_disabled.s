; all: reject
// check_ld_abs (6.10+): refused in a preempt-disabled region
// ("BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region").
.ctx tc
	r6 = r1
	call bpf_preempt_disable
	r0 = *(u16 *)skb[0]	; error: BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region
	call bpf_preempt_enable
	r0 = 0
	exit
