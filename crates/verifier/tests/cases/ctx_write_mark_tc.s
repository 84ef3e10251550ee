; cleanup: accept

.ctx tc

r2 = 1
*(u32 *)(r1 + 8) = r2
r0 = 0
exit
