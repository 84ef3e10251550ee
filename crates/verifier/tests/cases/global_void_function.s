; all: reject
// btf_prepare_func_args: a global function must return an integer or an enum in BTF; one
// declared void is refused at its call ("Global function log_nothing() doesn't return scalar.
// Only those are supported.", then "Caller passes invalid args into func#1"), by Linux 6.18.44
// as by 6.7 (`unwind verify --mode upstream --compare-kernel` shows the kernel's two lines).
.ctx tc
.globl log_nothing(scalar) void
	r1 = 1
	call log_nothing	; log: Global function log_nothing() doesn't return scalar. Only those are supported.
		;^ error(legacy): Caller passes invalid args into func#1
		;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('log_nothing')
	r0 = 0
	exit
log_nothing:
	exit
