; cleanup: reject


r1 = 0
*(u64 *)(r10 - 6) = r1	; error: misaligned stack access off 0+0+-6 size 8
r0 = 0
exit
