; cleanup: accept


r0 = 0
if r0 == 1 goto l
exit
l:
r0 = 2
exit
