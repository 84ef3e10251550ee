; cleanup: accept


r1 = 1
call f
exit
f:
r0 = r1
exit
