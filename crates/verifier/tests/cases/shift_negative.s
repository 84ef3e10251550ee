; cleanup: reject


r0 = 1
r0 s>>= -1	; error: invalid shift -1
exit
