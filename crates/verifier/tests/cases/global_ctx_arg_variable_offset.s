; all: reject
// A ctx pointer with a variable offset: __check_ptr_off_reg's "variable ctx access
// var_off=(0x0; 0x4) disallowed", then "Caller passes invalid args into func#1 ('g')".

.ctx tc
.globl g(ctx)
r2 = *(u32 *)(r1 + 0)
r2 &= 4
r1 += r2
call g	; log: variable ctx access var_off=(0x0; 0x4) disallowed
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
