; cleanup: reject
; Kernel rule (find_good_pkt_pointers, not range_right_open): `pkt_end >= pkt+8` (taken)
; proves exactly [pkt, pkt+8); the ninth byte is outside.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r1 = r2
r1 += 8
if r3 >= r1 goto ge
r0 = 0
exit
ge:
r0 = *(u64 *)(r1 - 8)
r0 = *(u8 *)(r1 + 0)	; log: invalid access to packet, off=8 size=1
	;^ error: R1 offset is outside of the packet
r0 = 0
exit
