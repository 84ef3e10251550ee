; cleanup: reject


w0 = 1
w0 %= 0	; error: div by zero
exit
