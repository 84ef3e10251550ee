; kernel: progs/exceptions_fail.c reject_exception_cb_type_1 (__failure __msg("Global function exception_cb_bad_ret_type1() return value not void or scalar."); v6.7: "... doesn't return scalar.")
; all: reject
; Unwind's assembly has no BTF return types, so the kernel's BTF message cannot appear; the
; callback's R0 is checked instead, as any global function's ("... R0 is not a scalar value"
; or "... R0 is not a known value").
; The exception callback returns a pointer (NULL as `void *`; here the stack pointer, which
; the verifier sees as a pointer whatever its value).
.ctx tc
.globl exception_cb_bad_ret_type1(scalar)
.exception_callback exception_cb_bad_ret_type1

	r1 = 0
	call bpf_throw
	r0 = 0
	exit

exception_cb_bad_ret_type1:
	r0 = r10
	exit	; error: R0 is not a
