; all: reject
// check_func_arg_reg_off -> __check_ptr_off_reg: a callback argument (ARG_PTR_TO_FUNC) must
// be a function's address itself; one moved by arithmetic is not the start of a function
// ("dereference of modified func ptr R2 off=8 disallowed"). It was accepted, and bpf_loop
// would have called into the middle of the callback.
.ctx tc
	r2 = cb ll
	r2 += 8
	r1 = 1
	r3 = 0
	r4 = 0
	call bpf_loop	; error: dereference of modified func ptr R2 off=8 disallowed
	r0 = 0
	exit
cb:
	r0 = 0
	exit
