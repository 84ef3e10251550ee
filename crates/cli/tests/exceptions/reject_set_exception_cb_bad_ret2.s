; kernel: progs/exceptions_fail.c reject_set_exception_cb_bad_ret2 (?fentry/bpf_check; __failure __msg("At program exit the register R1 has smin=64 smax=64 should"); v6.7: "At program exit the register R0 has value (0x40; 0x0) should")
; legacy:     reject "At program exit the register R0 has value (0x40; 0x0) should"
; upstream:   reject "At program exit the register R1 has smin=64 smax=64 should"
; cleanup:    reject "At program exit the register R1 has smin=64 smax=64 should"
; cleanup-v2: reject "At program exit the register R1 has smin=64 smax=64 should"
; runtime:    reject "At program exit the register R1 has smin=64 smax=64 should"
; The default callback returns the cookie, so the cookie must pass fentry's return rule (0).
.ctx tracing

	r1 = 64
	call bpf_throw
	r0 = 0
	exit
