; kernel: progs/exceptions_fail.c reject_with_rcu_read_lock (__failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"); v6.7-v6.12: "bpf_rcu_read_unlock is missing")
; legacy:     reject "bpf_rcu_read_unlock is missing"
; upstream:   reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup-v2: reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; runtime:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
.ctx tc

	call bpf_rcu_read_lock
	r1 = 0
	call bpf_throw
	r0 = 0
	exit
