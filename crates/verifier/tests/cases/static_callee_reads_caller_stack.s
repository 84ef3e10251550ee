; cleanup: accept


r1 = 5
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
call f
exit
f:
r0 = *(u64 *)(r1 + 0)
exit
