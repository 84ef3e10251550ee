// expect: reject
// expect-msg: R1 pointer arithmetic with *= operator prohibited


r1 = r10
r1 *= 2
r0 = 0
exit
