; cleanup: reject


r0 = 1
r0 /= 0	; error: div by zero
exit
