; cleanup: reject

.ctx cgroup_skb

r0 = r1
exit	; error: At program exit the register R0 is not a known value (ctx)
