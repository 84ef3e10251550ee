; cleanup: reject

.ctx tc

*(u32 *)(r1 + 8) = 0	; error: BPF_ST stores into R1 ctx is not allowed
r0 = 0
exit
