; all: reject
; Kernel rule (mark_pkt_end): a pointer beyond pkt_end has range BEYOND_PKT_END (-2): no
; access through it.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto beyond
r0 = 1
exit
beyond:
r0 = *(u8 *)(r4 - 8)	; error: R4 offset is outside of the packet
r0 = 2
exit
