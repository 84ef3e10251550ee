; all: reject
// A number other than NULL as a memory argument: check_mem_reg passes only NULL
// (register_is_null); check_helper_mem_access: "R1 type=scalar expected=fp"; "Caller passes
// invalid args into func#1 ('g')".

.globl g(mem:8)
r1 = 8
call g	; log: R1 type=scalar expected=fp
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = 0
exit
