// expect: reject
// expect-msg: R1 is not a scalar

.globl g(scalar)

r1 = r10
call g
exit
g:
r0 = 0
exit
