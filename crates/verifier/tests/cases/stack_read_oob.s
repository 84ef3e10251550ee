; cleanup: reject


r0 = *(u64 *)(r10 - 4)	; error: misaligned stack access off 0+0+-4 size 8
exit
