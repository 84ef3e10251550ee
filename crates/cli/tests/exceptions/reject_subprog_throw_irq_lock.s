; kernel: progs/exceptions_fail.c reject_subprog_throw_irq_lock (2026; __failure __msg("bpf_throw cannot be used inside bpf_local_irq_save-ed region"))
; all: reject
; Main saves the IRQ flags in fp-8 and calls a static subprog that always throws.
.ctx tc

	r1 = r10
	r1 += -8
	call bpf_local_irq_save
	call always_throws
	r1 = r10
	r1 += -8
	call bpf_local_irq_restore
	r0 = 0
	exit

always_throws:
	r1 = 0
	call bpf_throw	; error: bpf_throw cannot be used inside bpf_local_irq_save-ed region
	r0 = 0
	exit
