// expect: reject
// expect-msg: R1 bitwise operator &= on pointer prohibited


r1 = r10
r1 &= 2
r0 = 0
exit
