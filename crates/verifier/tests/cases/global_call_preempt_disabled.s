; all: reject
// check_func_call (Linux 6.10 to 6.13): "global function calls are not allowed with
// preemption disabled, use static function instead".

.ctx tc
.globl g(scalar)
call bpf_preempt_disable
r1 = 0
call g	; error: global function calls are not allowed with preemption disabled,
call bpf_preempt_enable
r0 = 0
exit
g:
r0 = 0
exit
