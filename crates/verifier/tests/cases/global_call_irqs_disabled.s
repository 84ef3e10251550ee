; all: reject
// check_func_call (Linux 6.14, with bpf_local_irq_save): "global function calls are not
// allowed with IRQs disabled, use static function instead" (the selftest irq.c
// irq_global_subprog). A global callee is verified without the caller's IRQ state.

.ctx tc
.globl g(scalar)
r1 = r10
r1 += -8
call bpf_local_irq_save
r1 = 0
call g	; error: global function calls are not allowed with IRQs disabled,
r1 = r10
r1 += -8
call bpf_local_irq_restore
r0 = 0
exit
g:
r0 = 0
exit
