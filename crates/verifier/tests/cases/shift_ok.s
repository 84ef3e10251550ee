; cleanup: accept


r0 = 1
r0 <<= 63
r0 s>>= 63
exit
