// expect: reject
// expect-msg: nested rcu read lock (kernel function bpf_rcu_read_lock)

.ctx tc

call bpf_rcu_read_lock
call bpf_rcu_read_lock
r0 = 0
exit
