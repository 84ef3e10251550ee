; kernel: progs/exceptions.c exception_throw_always_2 (retval 32)
; all: accept retval=32 throws=1
; main -> global2static_simple (global) -> static_func (static), which always throws 32: the
; code after the static call in the global function is never reached (the kernel's dead code
; elimination removes it).
.ctx tc
.globl global2static_simple(scalar)

	r1 = *(u32 *)(r1 + 16)		// ctx->protocol
	call global2static_simple
	exit

global2static_simple:
	r6 = r1
	r1 += 2
	call static_func
	r0 = r6
	r0 -= 1
	exit

static_func:
	r6 = r1
	r1 = 32
	call bpf_throw
	r0 = r6
	exit
