; cleanup: reject


r1 = r10
r2 = 8
r1 -= r2	; error: R1 subtraction from stack pointer prohibited
r0 = 0
exit
