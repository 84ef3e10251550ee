// expect: reject
// expect-msg: invalid shift 32


w0 = 1
w0 >>= 32
exit
