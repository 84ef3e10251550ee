; cleanup: reject


r1 = r10
r2 = 0x40000000
r1 += r2	; error: math between fp pointer and 1073741824 is not allowed
r0 = 0
exit
