; all: reject
// btf_check_func_arg_match: a ctx argument goes through check_func_arg_reg_off, whose
// __check_ptr_off_reg refuses a ctx pointer moved by a fixed offset ("dereference of
// modified ctx ptr R1 off=8 disallowed"); check_func_call then says "Caller passes invalid
// args into func#1 ('g')". The callee is verified with the ctx at its base.

.ctx tc
.globl g(ctx)
r1 += 8
call g	; log: dereference of modified ctx ptr R1 off=8 disallowed
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
