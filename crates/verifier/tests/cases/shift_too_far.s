// expect: reject
// expect-msg: invalid shift 64


r0 = 1
r0 <<= 64
exit
