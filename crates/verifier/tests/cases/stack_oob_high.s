; cleanup: reject


r1 = 0
*(u64 *)(r10 + 0) = r1	; error: invalid write to stack R10 off=0 size=8
r0 = 0
exit
