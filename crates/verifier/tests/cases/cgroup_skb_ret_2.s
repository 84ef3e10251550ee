; cleanup: reject

.ctx cgroup_skb

r0 = 2
exit	; error: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
