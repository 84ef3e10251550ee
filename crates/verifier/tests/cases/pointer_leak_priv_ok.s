; cleanup: accept


r0 = r10
exit
