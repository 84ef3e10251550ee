; cleanup: accept


r0 = -7
r0 s/= 2
r0 s%= 3
exit
