; cleanup: reject


w0 = 1
w0 >>= 32	; error: invalid shift 32
exit
