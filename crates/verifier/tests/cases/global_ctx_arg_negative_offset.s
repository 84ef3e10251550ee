; all: reject
// __check_ptr_off_reg checks a negative offset first: "negative offset ctx ptr R1 off=-8
// disallowed", then check_func_call's "Caller passes invalid args into func#1 ('g')".

.ctx tc
.globl g(ctx)
r1 += -8
call g	; log: negative offset ctx ptr R1 off=-8 disallowed
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
