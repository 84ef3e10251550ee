; all: reject
// check_kfunc_args: a static function's address (PTR_TO_FUNC) is not a scalar either, so it
// cannot be bpf_throw's cookie ("R1 is not a scalar").
.ctx tc
	r1 = cb ll
	call bpf_throw	; error: R1 is not a scalar
	r0 = 0
	exit
cb:
	r0 = 0
	exit
