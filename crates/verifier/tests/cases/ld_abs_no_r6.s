// expect: reject
// expect-msg: at the time of BPF_LD_ABS|IND R6 != pointer to skb

.ctx socket

r6 = 0
r0 = *(u8 *)skb[12]
exit
