; all: accept
// verifier_ld_ind.c ld_abs_subprog_both_paths_safe: the caller is safe with R0 = 0 (the
// load's failure path, bpf_gen_ld_abs) and with R0 = 1 (its code).
.ctx socket
	call ldabs_subprog
	r0 = 0
	exit
ldabs_subprog:
	r6 = r1
	r0 = *(u32 *)skb[0]
	r0 = 1
	exit
