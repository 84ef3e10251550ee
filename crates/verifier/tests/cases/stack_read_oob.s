// expect: reject
// expect-msg: misaligned stack access off 0+0+-4 size 8


r0 = *(u64 *)(r10 - 4)
exit
