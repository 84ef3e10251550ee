; cleanup: reject


r10 += 8	; error: frame pointer is read only
r0 = 0
exit
