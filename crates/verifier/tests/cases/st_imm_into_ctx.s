// expect: reject
// expect-msg: BPF_ST stores into R1 ctx is not allowed

.ctx tc

*(u32 *)(r1 + 8) = 0
r0 = 0
exit
