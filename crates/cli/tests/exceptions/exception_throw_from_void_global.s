; kernel: progs/exceptions.c exception_throw_from_void_global (retval 11)
; all: accept retval=11 throws=1
; A __weak void global function that always throws 11 (verified on its own; a global
; function without arguments is `.globl NAME`).
.ctx tc
.globl throw_11

	call throw_11
	r0 = 0
	exit

throw_11:
	r1 = 11
	call bpf_throw
	r0 = 0
	exit
