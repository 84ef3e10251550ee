; all: reject
// check_btf_func: "LD_ABS is only allowed in functions that return 'int'." A subprogram's
// LD_ABS may return 0 through its failure path (bpf_gen_ld_abs), so BTF must say it returns
// an integer (verifier_ld_ind.c ld_abs_void_subprog_reject, with a static function there;
// here a global one, the only kind this assembler can declare void). The check runs at load
// time, before any instruction is verified; the error is reported at the function.
.ctx socket
.globl ldabs_void(ctx) void
	call ldabs_void
	r0 = 0
	exit
ldabs_void:
	r6 = r1	; error: LD_ABS is only allowed in functions that return 'int'.
	r0 = *(u32 *)skb[0]
	exit
