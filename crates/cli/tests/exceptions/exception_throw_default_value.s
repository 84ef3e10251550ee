; kernel: progs/exceptions.c exception_throw_default_value (retval 5)
; legacy:     accept retval=5 throws=1
; upstream:   accept retval=5 throws=1
; cleanup:    accept retval=5 throws=1
; cleanup-v2: accept retval=5 throws=1
; runtime:    accept retval=5 throws=1
.ctx tc

	r1 = 5
	call bpf_throw
	r0 = 1
	exit
