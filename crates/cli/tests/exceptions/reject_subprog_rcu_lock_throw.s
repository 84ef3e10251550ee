; kernel: progs/exceptions_fail.c reject_subprog_rcu_lock_throw (2026; __failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"))
; all: reject
; A static subprog takes the RCU read lock and throws.
.ctx tc

	call rcu_lock_then_throw
	r0 = 0
	exit

rcu_lock_then_throw:
	call bpf_rcu_read_lock
	r1 = 0
	call bpf_throw	; error(legacy): bpf_rcu_read_unlock is missing
		;^ error(upstream, cleanup, cleanup-v2, runtime): bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
	r0 = 0
	exit
