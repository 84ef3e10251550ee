; cleanup: reject
; Kernel rule (try_match_pkt_pointers returns false for BPF_JMP32): a 32-bit comparison of
; a packet pointer with pkt_end proves no range.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r1 = r2
r1 += 8
if w1 > w3 goto out
r0 = *(u8 *)(r2 + 0)	; log: invalid access to packet, off=0 size=1
	;^ error: R2 offset is outside of the packet
out:
r0 = 0
exit
