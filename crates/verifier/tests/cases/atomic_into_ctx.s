// expect: reject
// expect-msg: BPF_ATOMIC stores into R1 ctx is not allowed

.ctx tc

r2 = 1
lock *(u32 *)(r1 + 8) += w2
r0 = 0
exit
