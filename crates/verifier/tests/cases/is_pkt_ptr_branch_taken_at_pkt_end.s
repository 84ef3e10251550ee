; all: accept
; Kernel rule (mark_pkt_end, is_pkt_ptr_branch_taken): after `pkt+8 >= pkt_end` is taken the
; pointer is at or beyond pkt_end, so `pkt+8 < pkt_end` is never taken.

.ctx tc

r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 8
if r4 >= r3 goto at
r0 = 1
exit
at:
if r4 < r3 goto never
r0 = 2
exit
never:
r0 = *(u8 *)(r2 + 100)
exit
