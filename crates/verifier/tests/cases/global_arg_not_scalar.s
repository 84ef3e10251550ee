; all: reject
// btf_check_func_arg_match logs "R1 is not a scalar" for a pointer in a scalar argument;
// check_func_call then refuses the call: "Caller passes invalid args into func#1 ('g')"
// (v6.7, legacy, did not name the function yet).

.globl g(scalar)

r1 = r10
call g	; log: R1 is not a scalar
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
exit
g:
r0 = 0
exit
