; cleanup: reject

.ctx tc

r2 = *(u32 *)(r1 + 76)
r0 = *(u8 *)(r2 + 0)	; error: R2 offset is outside of the packet
r0 = 0
exit
