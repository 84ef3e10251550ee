// expect: reject
// expect-msg: invalid bpf_context access off=0 size=8

.ctx tc

r0 = *(u64 *)(r1 + 0)
exit
