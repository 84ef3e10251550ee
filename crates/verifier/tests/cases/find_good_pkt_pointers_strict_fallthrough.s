; cleanup: accept
; Kernel rule (find_good_pkt_pointers): `pkt+8 >= pkt_end` and `pkt_end <= pkt+8` not taken
; leave pkt+8 < pkt_end on the fall-through, so [pkt, pkt+9) is readable there.

.ctx tc

r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 8
if r4 >= r3 goto out
r0 = *(u64 *)(r2 + 1)
if r3 <= r4 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 0
exit
