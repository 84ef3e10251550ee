; all: reject
// check_kfunc_args: bpf_throw's cookie is a u64 parameter, a scalar in BTF, so a pointer is
// refused before anything else of the throw is checked ("R1 is not a scalar").
.ctx tc
	r1 = r10
	r1 += -8
	call bpf_throw	; error: R1 is not a scalar
	r0 = 0
	exit
