// expect: reject
// expect-msg: frame pointer is read only


r10 += 8
r0 = 0
exit
