; legacy: reject
// reject_with_rcu_read_lock with the message of v6.7 to v6.12.
.ctx tc
	call bpf_rcu_read_lock
	r1 = 1
	call bpf_throw	; error: bpf_rcu_read_unlock is missing
	call bpf_rcu_read_unlock
	r0 = 0
	exit
