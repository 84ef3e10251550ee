; all: accept
// prepare_func_exit does not read R0 for a static callee: "return to the caller whatever r0
// had in the callee", uninitialised included; only the caller's use of it is checked (the
// selftest verifier_ref_tracking/call_free_reference_in_subprog). The program's exit reads R0
// (check_return_code), so main sets it.

.ctx tc
call f
r0 = 0
exit
f:
r2 = r1
exit
