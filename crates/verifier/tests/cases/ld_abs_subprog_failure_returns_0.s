; all: reject
// bpf_gen_ld_abs: an out-of-bounds LD_ABS is a hidden `exit` with R0 = 0 from the *current*
// function, so a static subprogram may return 0 to its caller where its code says 1. The
// verifier explores that return (Linux 6.12.117, selftest verifier_ld_ind.c
// ld_abs_subprog_early_exit): the caller's `r0 == 0` side is reachable and reads R9.
.ctx socket
	call ldabs_subprog
	if r0 != 0 goto out
	r0 = r9	; error: R9 !read_ok
out:
	r0 = 0
	exit
ldabs_subprog:
	r6 = r1
	r0 = *(u32 *)skb[0]
	r0 = 1
	exit
