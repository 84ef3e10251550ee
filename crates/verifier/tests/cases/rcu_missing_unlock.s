// expect: reject
// expect-msg: bpf_rcu_read_unlock is missing

.ctx tc

call bpf_rcu_read_lock
r0 = 0
exit
