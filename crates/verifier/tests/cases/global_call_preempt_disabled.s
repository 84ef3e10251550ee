; all: reject
// __check_func_call: a global function is verified on its own, without the caller's
// preempt-disabled region, so calling one with preemption disabled is refused (preempt_lock.c
// preempt_global_subprog_test): "global function calls are not allowed with preemption
// disabled,\nuse static function instead". A static function may be called there.
.ctx tc
.globl gf(scalar)
	call bpf_preempt_disable
	r1 = 0
	call gf	; error: global function calls are not allowed with preemption disabled,
	call bpf_preempt_enable
	r0 = 0
	exit
gf:
	r0 = 0
	exit
