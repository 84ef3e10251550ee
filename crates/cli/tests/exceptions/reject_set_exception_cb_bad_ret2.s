; kernel: progs/exceptions_fail.c reject_set_exception_cb_bad_ret2 (?fentry/bpf_check; __failure __msg("At program exit the register R1 has smin=64 smax=64 should"); v6.7: "At program exit the register R0 has value (0x40; 0x0) should")
; all: reject
; The default callback returns the cookie, so the cookie must pass fentry's return rule (0).
.ctx tracing

	r1 = 64
	call bpf_throw	; error(legacy): At program exit the register R0 has value (0x40; 0x0) should
		;^ error(upstream, cleanup, cleanup-v2, runtime): At program exit the register R1 has smin=64 smax=64 should
	r0 = 0
	exit
