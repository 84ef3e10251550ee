// expect: reject
// expect-msg: R1 pointer += pointer prohibited


r1 = r10
r1 += r10
r0 = 0
exit
