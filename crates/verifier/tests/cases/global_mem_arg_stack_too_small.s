; all: reject
// check_mem_reg measures a pointer argument of a global function as check_helper_mem_access
// measures a helper's: 8 bytes from fp-4 leave the stack, "invalid indirect access to stack
// R1 off=-4 size=8" (check_stack_access_within_bounds), then "Caller passes invalid args
// into func#1 ('g')".

.globl g(mem:8)
r1 = 0
*(u32 *)(r10 - 4) = r1
r1 = r10
r1 += -4
call g	; log: invalid indirect access to stack R1 off=-4 size=8
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
r0 = 0
exit
g:
r0 = 0
exit
