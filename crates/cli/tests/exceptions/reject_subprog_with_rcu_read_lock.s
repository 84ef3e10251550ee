; kernel: progs/exceptions_fail.c reject_subprog_with_rcu_read_lock (__failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"); v6.7: "bpf_rcu_read_unlock is missing")
; all: reject
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
	call bpf_throw	; error(legacy): bpf_rcu_read_unlock is missing
		;^ error(upstream, cleanup, cleanup-v2, runtime): bpf_throw cannot be used inside bpf_rcu_read_lock-ed region
out:
	r0 = 0
	exit
