; cleanup: accept


r1 = r10
if r1 == 0 goto z
r0 = 0
exit
z:
r0 = 1
exit
