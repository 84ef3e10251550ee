; cleanup: accept


r1 = 0
*(u32 *)(r10 - 4) = r1
r0 = *(u32 *)(r10 - 4)
if r0 != 0 goto bad
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
