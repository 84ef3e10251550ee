// expect: reject
// expect-msg: invalid size of register spill


*(u32 *)(r10 - 8) = r10
r0 = 0
exit
