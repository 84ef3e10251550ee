; all: reject
// check_ld_imm on BPF_PSEUDO_FUNC: the address of a global function cannot be taken as a
// callback ("callback function not static", at the load, before bpf_loop sees it): a global
// function is verified for its prototype's arguments, not for a callback's.
.ctx tc
.globl global_cb(scalar, scalar)
	r1 = 2
	r2 = global_cb ll	; error: callback function not static
	r3 = 0
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
global_cb:
	r0 = 0
	exit
