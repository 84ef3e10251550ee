; cleanup: reject


r1 = r10
w1 += 2	; error: R1 32-bit pointer arithmetic prohibited
r0 = 0
exit
