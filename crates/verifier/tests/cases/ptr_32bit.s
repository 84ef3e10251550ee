// expect: reject
// expect-msg: R1 32-bit pointer arithmetic prohibited


r1 = r10
w1 += 2
r0 = 0
exit
