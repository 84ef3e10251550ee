; kernel: progs/exceptions.c exception_assert_neg_gfunc_with (prog_tests/exceptions.c: retval 1)
; all: accept retval=1 throws=0
; assert_neg_gfunc_with(-100) + 1: bpf_assert_with(..., cookie + 100) on a volatile copy of the cookie.
.ctx tc
.globl assert_neg_gfunc_with(scalar)

	r1 = -100
	call assert_neg_gfunc_with
	r0 += 1
	exit

assert_neg_gfunc_with:
	*(u64 *)(r10 - 8) = r1		// volatile u64 cookie = c
	r1 = *(u64 *)(r10 - 8)
	if r1 s< 0 goto ok
	r1 = *(u64 *)(r10 - 8)
	r1 += 100
	call bpf_throw
ok:
	r0 = 0
	exit
