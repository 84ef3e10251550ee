; cleanup: accept

.ctx socket

r6 = r1
r0 = *(u8 *)skb[12]
exit
