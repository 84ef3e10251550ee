; all: reject
// A stack pointer where the prototype says ctx: check_func_arg_reg_off accepts any stack
// offset, then the type check logs "arg#0 expects pointer to ctx"; "Caller passes invalid
// args into func#1 ('g')".

.ctx tc
.globl g(ctx)
r1 = r10
r1 += -8
call g	; log: arg#0 expects pointer to ctx
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
