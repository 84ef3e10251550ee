; cleanup: reject


r1 = r10
r1 *= 2	; error: R1 pointer arithmetic with *= operator prohibited
r0 = 0
exit
