// expect: reject
// expect-msg: div by zero


w0 = 1
w0 %= 0
exit
