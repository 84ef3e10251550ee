; kernel: progs/exceptions.c exception_ext_mod_cb_runtime (retval 35 without the extension)
; all: accept retval=35 throws=1
; __exception_cb(exception_cb_mod): the callback returns exception_cb_mod_global(cookie) +
; cookie + 10 = 0 + 25 + 10. (With the freplace extension on exception_cb_mod_global the
; kernel returns 131; freplace is not modelled.)
.ctx tc
.globl exception_cb_mod(scalar)
.globl exception_cb_mod_global(scalar)
.exception_callback exception_cb_mod

	r1 = 25
	call bpf_throw
	r0 = 0
	exit

exception_cb_mod_global:
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r0 = *(u32 *)(r10 - 4)
	exit

exception_cb_mod:
	r6 = r1
	call exception_cb_mod_global
	r0 += r6
	r0 += 10
	exit
