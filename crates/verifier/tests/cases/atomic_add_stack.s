; cleanup: accept


r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = *(u64 *)(r10 - 8)
exit
