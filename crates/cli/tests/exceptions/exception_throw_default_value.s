; kernel: progs/exceptions.c exception_throw_default_value (retval 5)
; all: accept retval=5 throws=1
.ctx tc

	r1 = 5
	call bpf_throw
	r0 = 1
	exit
