; all: reject
; Kernel rule (is_pkt_ptr_branch_taken): a pointer only known at or beyond pkt_end
; (`pkt+8 >= pkt_end` taken) may be equal to it, so `pkt+8 > pkt_end` is not decided.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 >= r3 goto at
r0 = 1
exit
at:
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 100)	; log: invalid access to packet, off=100 size=1
	;^ error: R2 offset is outside of the packet
out:
r0 = 2
exit
