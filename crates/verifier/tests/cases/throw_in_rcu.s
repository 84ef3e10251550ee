; legacy: reject

.ctx tc

call bpf_rcu_read_lock
r1 = 1
call bpf_throw	; error: bpf_rcu_read_unlock is missing
call bpf_rcu_read_unlock
r0 = 0
exit
