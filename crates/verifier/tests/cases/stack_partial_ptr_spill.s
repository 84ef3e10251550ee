; cleanup: reject


*(u32 *)(r10 - 8) = r10	; error: invalid size of register spill
r0 = 0
exit
