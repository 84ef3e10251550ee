; kernel: progs/exceptions.c exception_throw_default (retval 0)
; legacy:     accept retval=0 throws=1
; upstream:   accept retval=0 throws=1
; cleanup:    accept retval=0 throws=1
; cleanup-v2: accept retval=0 throws=1
; runtime:    accept retval=0 throws=1
.ctx tc

	r1 = 0
	call bpf_throw
	r0 = 1
	exit
