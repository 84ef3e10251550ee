; cleanup: accept


r1 = 3
r1 *= 4
if r1 != 12 goto bad
r0 = 0
exit
bad:
exit
