; cleanup: accept
; Kernel rule (find_good_pkt_pointers, range_right_open): a strict comparison with pkt_end
; proves one byte more than the pointer's offset. `pkt_end > pkt+8` (taken) and
; `pkt+8 < pkt_end` (taken) each make [pkt, pkt+9) readable.

.ctx xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r1 = r2
r1 += 8
if r3 > r1 goto gt
goto next
gt:
r0 = *(u64 *)(r1 - 7)
next:
if r1 < r3 goto lt
goto out
lt:
r0 = *(u8 *)(r2 + 8)
out:
r0 = 0
exit
