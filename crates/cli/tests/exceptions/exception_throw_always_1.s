; kernel: progs/exceptions.c exception_throw_always_1 (prog_tests/exceptions.c: retval 64)
; all: accept retval=64 throws=1
; bpf_throw(64); the default exception callback returns the cookie.
.ctx tc

	r1 = 64
	call bpf_throw
	r0 = 0
	exit
