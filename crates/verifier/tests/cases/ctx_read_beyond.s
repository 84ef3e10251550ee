// expect: reject
// expect-msg: invalid bpf_context access off=192 size=4

.ctx tc

r0 = *(u32 *)(r1 + 192)
exit
