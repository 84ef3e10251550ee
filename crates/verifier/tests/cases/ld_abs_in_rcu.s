; cleanup: reject
// check_ld_abs → check_resource_leak(env, false, true, ...): an out-of-bounds load ends the
// program, so it may not run inside an RCU read section.
.ctx tc
r6 = r1
call bpf_rcu_read_lock
r0 = *(u16 *)skb[30]	; error: BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region
call bpf_rcu_read_unlock
r0 = 0
exit
