// expect: reject
// expect-msg: At program exit the register R0 is not a known value (ctx)

.ctx cgroup_skb

r0 = r1
exit
