// mode: legacy
// expect: reject
// expect-msg: bpf_rcu_read_unlock is missing

.ctx tc

call bpf_rcu_read_lock
r1 = 1
call bpf_throw
call bpf_rcu_read_unlock
r0 = 0
exit
