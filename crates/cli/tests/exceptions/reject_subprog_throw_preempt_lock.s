; kernel: progs/exceptions_fail.c reject_subprog_throw_preempt_lock (2026; __failure __msg("bpf_throw cannot be used inside bpf_preempt_disable-ed region"))
; all: reject
; Main disables preemption and calls a static subprog that always throws (legacy: the
; v6.10-v6.12 wording of the exit check).
.ctx tc

	call bpf_preempt_disable
	call always_throws
	call bpf_preempt_enable
	r0 = 0
	exit

always_throws:
	r1 = 0
	call bpf_throw	; error(legacy): 1 bpf_preempt_enable is missing
		;^ error(upstream, cleanup, cleanup-v2, runtime): bpf_throw cannot be used inside bpf_preempt_disable-ed region
	r0 = 0
	exit
