// expect: reject
// expect-msg: invalid bpf_context access off=2 size=4

.ctx socket

r0 = *(u32 *)(r1 + 2)
exit
