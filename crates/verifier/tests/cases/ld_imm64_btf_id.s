; all: reject
// check_pseudo_btf_id: `ld_imm64` with BPF_PSEUDO_BTF_ID loads the address of a kernel
// variable named by its vmlinux BTF id; the simulated kernel's BTF has no variables, so every
// id is invalid ("ldimm64 insn specifies invalid btf_id 0."). Found by the `verify` fuzz
// target: this program was accepted and then faulted in the interpreter.
	r0 = btf_id(0) ll	; error: ldimm64 insn specifies invalid btf_id 0.
	r0 = 0
	exit
