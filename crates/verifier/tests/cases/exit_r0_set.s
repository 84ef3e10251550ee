; cleanup: accept


r0 = 0
exit
