; kernel: progs/exceptions.c exception_throw_default (retval 0)
; all: accept retval=0 throws=1
.ctx tc

	r1 = 0
	call bpf_throw
	r0 = 1
	exit
