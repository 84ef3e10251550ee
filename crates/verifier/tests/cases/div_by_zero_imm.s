// expect: reject
// expect-msg: div by zero


r0 = 1
r0 /= 0
exit
