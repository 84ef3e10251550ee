; upstream: reject
// exceptions_fail.c reject_with_rcu_read_lock, today's message (check_resource_leak with the
// bpf_throw prefix, Mar 2026).
.ctx tc
	call bpf_rcu_read_lock
	r1 = 1
	call bpf_throw	; error: bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
	call bpf_rcu_read_unlock
	r0 = 0
	exit
