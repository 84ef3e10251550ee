; cleanup: accept

.ctx socket

r2 = 1
*(u32 *)(r1 + 48) = r2
r0 = 0
exit
