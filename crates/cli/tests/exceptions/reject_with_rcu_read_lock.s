; kernel: progs/exceptions_fail.c reject_with_rcu_read_lock (__failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"); v6.7-v6.12: "bpf_rcu_read_unlock is missing")
; all: reject
.ctx tc

	call bpf_rcu_read_lock
	r1 = 0
	call bpf_throw	; error(legacy): bpf_rcu_read_unlock is missing
		;^ error(upstream, cleanup, cleanup-v2, runtime): bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
	r0 = 0
	exit
