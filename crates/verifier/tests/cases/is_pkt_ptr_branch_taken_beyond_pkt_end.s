; all: accept
; Kernel rule (mark_pkt_end, is_pkt_ptr_branch_taken): after `pkt+8 > pkt_end` is taken the
; pointer is beyond pkt_end, so the same comparison again is always taken and the read
; after it is never reached.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto beyond
r0 = 1
exit
beyond:
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 100)
out:
r0 = 2
exit
