; all: reject
// check_kfunc_args on a scalar parameter, the rule bpf_throw's cookie now follows: every
// kfunc's integer argument must be a scalar (bpf_task_from_pid's s32 pid here):
// "R1 is not a scalar" (a helper's says "R1 type=... expected=scalar").
.ctx tracing
	r1 = r10
	r1 += -8
	call bpf_task_from_pid	; error: R1 is not a scalar
	r0 = 0
	exit
