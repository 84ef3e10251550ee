; kernel: progs/exceptions.c exception_throw_subprog (retval 1)
; all: accept retval=1 throws=1
; switch (ctx->protocol) over a static, a global, a throwing static and a throwing global
; subprog; the test packet matches no case, so main throws 1.
.ctx tc
.globl global_subprog(ctx)
.globl throwing_global_subprog(ctx)

	r2 = *(u32 *)(r1 + 16)		// ctx->protocol
	if r2 == 1 goto case1
	if r2 == 2 goto case2
	if r2 == 3 goto case3
	if r2 == 4 goto case4
	r1 = 1
	call bpf_throw
	r0 = 0
	exit
case1:
	call subprog
	exit
case2:
	call global_subprog
	exit
case3:
	call throwing_subprog
	exit
case4:
	call throwing_global_subprog
	exit

subprog:
	call bpf_ktime_get_ns
	exit

throwing_subprog:
	r2 = *(u64 *)(r1 + 152)		// ctx->tstamp
	if r2 == 0 goto ts1
	r1 = 0
	call bpf_throw
ts1:
	call bpf_ktime_get_ns
	exit

global_subprog:
	call bpf_ktime_get_ns
	exit

throwing_global_subprog:
	r2 = *(u64 *)(r1 + 152)		// ctx->tstamp
	if r2 == 0 goto tg1
	r1 = 0
	call bpf_throw
tg1:
	call bpf_ktime_get_ns
	exit
