; cleanup: reject


r0 = 1
r0 <<= 64	; error: invalid shift 64
exit
