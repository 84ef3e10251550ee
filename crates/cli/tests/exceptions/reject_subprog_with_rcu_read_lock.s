; kernel: progs/exceptions_fail.c reject_subprog_with_rcu_read_lock (__failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"); v6.7: "bpf_rcu_read_unlock is missing")
; legacy:     reject "bpf_rcu_read_unlock is missing"
; upstream:   reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; cleanup-v2: reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; runtime:    reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"
; main holds the RCU read lock and calls a static subprog that throws if ctx->len.
.ctx tc

	r6 = r1
	call bpf_rcu_read_lock
	r1 = r6
	call throwing_subprog
	call bpf_rcu_read_unlock
	r0 = 0
	exit

throwing_subprog:
	r2 = *(u32 *)(r1 + 0)		// ctx->len
	if r2 == 0 goto out
	r1 = 0
	call bpf_throw
out:
	r0 = 0
	exit
