; upstream: reject
// progs/exceptions_fail.c reject_subprog_throw_preempt_lock: main disables preemption and
// calls a static function that always throws (check_resource_leak since Mar 2026).
.ctx tc
	call bpf_preempt_disable
	call always_throws
	call bpf_preempt_enable
	r0 = 0
	exit
always_throws:
	r1 = 0
	call bpf_throw	; error: bpf_throw cannot be used inside bpf_preempt_disable-ed region
	r0 = 0
	exit
