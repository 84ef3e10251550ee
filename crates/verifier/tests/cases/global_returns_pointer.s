; cleanup: reject

.globl g

call g
exit
g:
r0 = r10
exit	; error: At subprogram exit the register R0 is not a scalar value (fp)
