; all: reject
// check_ld_abs: the load's failure path leaves the function, so it is refused inside an RCU
// read section ("BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region").
.ctx tc
	r6 = r1
	call bpf_rcu_read_lock
	r0 = *(u8 *)skb[0]	; error: BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region
	call bpf_rcu_read_unlock
	r0 = 0
	exit
