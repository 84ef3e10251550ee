; kernel: progs/exceptions_fail.c reject_subprog_rcu_lock_throw (2026; __failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"))
; legacy:     reject "bpf_rcu_read_unlock is missing"
; upstream:   reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup-v2: reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; runtime:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; A static subprog takes the RCU read lock and throws.
.ctx tc

	call rcu_lock_then_throw
	r0 = 0
	exit

rcu_lock_then_throw:
	call bpf_rcu_read_lock
	r1 = 0
	call bpf_throw
	r0 = 0
	exit
