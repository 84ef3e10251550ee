; kernel: progs/exceptions.c exception_bad_assert_neg_gfunc (prog_tests/exceptions.c: retval 0)
; all: accept retval=0 throws=1
; assert_neg_gfunc(100) + 1: bpf_assert(...) on a volatile copy of the cookie.
.ctx tc
.globl assert_neg_gfunc(scalar)

	r1 = 100
	call assert_neg_gfunc
	r0 += 1
	exit

assert_neg_gfunc:
	*(u64 *)(r10 - 8) = r1		// volatile u64 cookie = c
	r1 = *(u64 *)(r10 - 8)
	if r1 s< 0 goto ok
	r1 = 0
	call bpf_throw
ok:
	r0 = 0
	exit
