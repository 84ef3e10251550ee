; cleanup: reject


*(u64 *)(r10 - 8) = r10
r0 = *(u32 *)(r10 - 8)	; error: invalid size of register fill
exit
