// expect: reject
// expect-msg: R1 tried to subtract pointer from scalar


r1 = 0
r1 -= r10
r0 = 0
exit
