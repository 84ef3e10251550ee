; cleanup: reject

.globl g(mem:8)

r1 = r10
r1 += -8
call g
r0 = 0
exit
g:
r0 = *(u64 *)(r1 + 0)	; error: R1 invalid mem access 'mem_or_null'
exit
