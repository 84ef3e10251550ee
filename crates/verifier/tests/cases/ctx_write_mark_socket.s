// expect: reject
// expect-msg: invalid bpf_context access off=8 size=4

.ctx socket

r2 = 1
*(u32 *)(r1 + 8) = r2
r0 = 0
exit
