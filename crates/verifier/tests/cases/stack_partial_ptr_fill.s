// expect: reject
// expect-msg: invalid size of register fill


*(u64 *)(r10 - 8) = r10
r0 = *(u32 *)(r10 - 8)
exit
