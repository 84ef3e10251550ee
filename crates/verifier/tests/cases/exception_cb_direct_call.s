; cleanup: reject

.globl ecb(scalar)
.exception_callback ecb

call ecb	; error: insn 0 cannot call exception cb directly
exit
ecb:
r0 = r1
exit
