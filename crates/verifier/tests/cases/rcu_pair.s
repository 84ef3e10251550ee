; cleanup: accept

.ctx tc

call bpf_rcu_read_lock
call bpf_rcu_read_unlock
r0 = 0
exit
