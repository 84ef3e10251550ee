; cleanup: accept

.ctx xdp

r0 = *(u32 *)(r1 + 12)
r0 = 2
exit
