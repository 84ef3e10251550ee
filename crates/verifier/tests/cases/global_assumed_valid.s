; cleanup: accept
; log: Func#1 ('g') is global and assumed valid.

.globl g(scalar)

r1 = 1
call g
exit
g:
r0 = r1
exit
