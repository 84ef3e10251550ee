// expect: reject
// expect-msg: R1 subtraction from stack pointer prohibited


r1 = r10
r2 = 8
r1 -= r2
r0 = 0
exit
