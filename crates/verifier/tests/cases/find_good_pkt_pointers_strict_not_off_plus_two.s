; cleanup: reject
; Kernel rule (find_good_pkt_pointers): a strict comparison gives exactly one byte more,
; not two: after `pkt_end > pkt+8`, a read reaching pkt+10 is outside the range 9.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r1 = r2
r1 += 8
if r3 > r1 goto gt
r0 = 0
exit
gt:
r0 = *(u64 *)(r1 - 6)	; log: invalid access to packet, off=2 size=8
	;^ error: R1 offset is outside of the packet
r0 = 0
exit
