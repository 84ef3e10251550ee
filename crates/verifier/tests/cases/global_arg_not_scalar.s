; cleanup: reject

.globl g(scalar)

r1 = r10
call g	; error: R1 is not a scalar
exit
g:
r0 = 0
exit
