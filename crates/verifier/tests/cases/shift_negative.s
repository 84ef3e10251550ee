// expect: reject
// expect-msg: invalid shift -1


r0 = 1
r0 s>>= -1
exit
