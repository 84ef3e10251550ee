; cleanup: reject

.ctx tc

call bpf_rcu_read_lock
r0 = 0
exit	; error: bpf_rcu_read_unlock is missing
