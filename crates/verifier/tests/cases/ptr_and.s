; cleanup: reject


r1 = r10
r1 &= 2	; error: R1 bitwise operator &= on pointer prohibited
r0 = 0
exit
