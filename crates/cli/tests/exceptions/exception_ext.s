; kernel: progs/exceptions.c exception_ext (retval 0 without the freplace extension attached)
; all: accept retval=0 throws=0
; main -> exception_ext_static (static) -> exception_ext_global (global, an freplace
; target). Without an extension nothing throws. (The subtest that attaches the throwing
; extension, retval 128, needs freplace, which Unwind does not model.)
.ctx tc
.globl exception_ext_global(ctx)

	call exception_ext_static
	exit

exception_ext_static:
	call exception_ext_global
	exit

exception_ext_global:
	r1 = 0
	*(u32 *)(r10 - 4) = r1		// volatile int ret = 0
	r0 = *(u32 *)(r10 - 4)
	exit
