; cleanup: accept


r1 = r10
r1 -= r10
r0 = r1
exit
