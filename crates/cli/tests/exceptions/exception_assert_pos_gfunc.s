; kernel: progs/exceptions.c exception_assert_pos_gfunc (prog_tests/exceptions.c: retval 1)
; all: accept retval=1 throws=0
; assert_pos_gfunc(100) + 1: bpf_assert(...) on a volatile copy of the cookie.
.ctx tc
.globl assert_pos_gfunc(scalar)

	r1 = 100
	call assert_pos_gfunc
	r0 += 1
	exit

assert_pos_gfunc:
	*(u64 *)(r10 - 8) = r1		// volatile u64 cookie = c
	r1 = *(u64 *)(r10 - 8)
	if r1 s> 0 goto ok
	r1 = 0
	call bpf_throw
ok:
	r0 = 0
	exit
