; cleanup: reject

.ctx tc

r2 = 1
lock *(u32 *)(r1 + 8) += w2	; error: BPF_ATOMIC stores into R1 ctx is not allowed
r0 = 0
exit
