; cleanup: reject


r10 = 0	; error: frame pointer is read only
r0 = 0
exit
