; all: reject
// A ctx pointer is no memory argument: check_mem_reg → check_helper_mem_access's default
// case, "R1 type=ctx expected=fp"; "Caller passes invalid args into func#1 ('g')".

.ctx tc
.globl g(mem:8)
call g	; log: R1 type=ctx expected=fp
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = 0
exit
