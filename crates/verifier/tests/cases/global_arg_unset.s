; all: reject
// btf_check_func_arg_match compares types, it does not read the registers: an argument
// register never set is not a scalar, "R2 is not a scalar", then "Caller passes invalid args
// into func#1 ('g')".

.globl g(scalar, scalar)
r1 = 0
call g	; log: R2 is not a scalar
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = 0
exit
