; cleanup: reject

.ctx xdp

r6 = r1
r0 = *(u8 *)skb[12]	; error: BPF_LD_[ABS|IND] instructions not allowed for this program type
exit
