; upstream: accept
; log: may throw exception, exploring program path where exception is thrown
// A global function that might throw, called with nothing held: both the exception exit and
// the normal return are fine.
.ctx tc
.globl thrower(scalar)
	r1 = 5
	call thrower
	r0 = 0
	exit
thrower:
	if r1 != 5 goto out
	call bpf_throw
out:
	r0 = 0
	exit
