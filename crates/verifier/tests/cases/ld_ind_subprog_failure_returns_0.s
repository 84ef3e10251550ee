; all: reject
// As ld_abs_subprog_failure_returns_0.s for LD_IND (verifier_ld_ind.c
// ld_ind_subprog_early_exit): bpf_gen_ld_abs's failure path returns 0 from the subprogram.
.ctx socket
	call ldind_subprog
	if r0 != 0 goto out
	r0 = r9	; error: R9 !read_ok
out:
	r0 = 0
	exit
ldind_subprog:
	r6 = r1
	r7 = 0
	r0 = *(u32 *)skb[r7 + 0]
	r0 = 1
	exit
