; cleanup: reject

.ctx socket

r6 = 0
r0 = *(u8 *)skb[12]	; error: at the time of BPF_LD_ABS|IND R6 != pointer to skb
exit
