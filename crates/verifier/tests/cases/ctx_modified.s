; cleanup: reject

.ctx tc

r1 += 4
r0 = *(u32 *)(r1 + 0)	; error: dereference of modified ctx ptr R1 off=4 disallowed
exit
