; cleanup: accept


r0 = -1
w0 += 0
if r0 > 0xffffffff goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
