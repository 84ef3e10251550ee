; cleanup: reject

.ctx tc

r3 = *(u32 *)(r1 + 80)
r0 = *(u8 *)(r3 + 0)	; error: R3 invalid mem access 'pkt_end'
exit
