; all: reject
// __check_func_call (after 6.12, when IRQ state tracking came): "global function calls are
// not allowed with IRQs disabled,\nuse static function instead".
.ctx tc
.globl gf(scalar)
	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	r1 = 0
	call gf	; error: global function calls are not allowed with IRQs disabled,
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit
gf:
	r0 = 0
	exit
