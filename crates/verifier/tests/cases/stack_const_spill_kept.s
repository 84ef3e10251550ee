; cleanup: accept


r1 = 42
*(u64 *)(r10 - 16) = r1
r2 = *(u64 *)(r10 - 16)
if r2 != 42 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r2 + 0)
exit
