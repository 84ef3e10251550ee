; cleanup: accept


r1 = 0
r2 = 0
l:
r2 += r1
r1 += 1
if r1 < 50 goto l
r0 = r2
exit
