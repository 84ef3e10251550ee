; kernel: progs/exceptions_fail.c reject_out_of_range_global_throw (?fentry/bpf_check; __failure __msg("At program exit the register R1 has smin=1 smax=1 should"))
; all: reject
; __weak void foo(void) { bpf_throw(1); } called from an fentry program: the cookie check
; runs when the global function is verified, against the main program's return rule.
.ctx tracing
.globl foo

	call foo
	r0 = 0
	exit

foo:
	r1 = 1
	call bpf_throw	; error(legacy): At program exit the register R0 has value (0x1; 0x0) should
		;^ error(upstream, cleanup, cleanup-v2, runtime): At program exit the register R1 has smin=1 smax=1 should
	r0 = 0
	exit
