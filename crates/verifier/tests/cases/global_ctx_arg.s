; cleanup: accept

.ctx tc
.globl g(ctx)

call g
exit
g:
r0 = *(u32 *)(r1 + 0)
exit
