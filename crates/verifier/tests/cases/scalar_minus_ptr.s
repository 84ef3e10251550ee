; cleanup: reject


r1 = 0
r1 -= r10	; error: R1 tried to subtract pointer from scalar
r0 = 0
exit
