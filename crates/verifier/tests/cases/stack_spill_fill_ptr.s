; cleanup: accept


*(u64 *)(r10 - 8) = r1
r1 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit
