; cleanup: reject

.ctx tc

r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u64 *)(r2 + 4)	; log: invalid access to packet, off=4 size=8
	;^ error: R2 offset is outside of the packet
out:
r0 = 0
exit
