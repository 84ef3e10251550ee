; cleanup: reject

.ctx tc

call bpf_rcu_read_lock
call bpf_rcu_read_lock	; error: nested rcu read lock (kernel function bpf_rcu_read_lock)
r0 = 0
exit
