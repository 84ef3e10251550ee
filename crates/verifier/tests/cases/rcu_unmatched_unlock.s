; cleanup: reject

.ctx tc

call bpf_rcu_read_unlock	; error: unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
r0 = 0
exit
