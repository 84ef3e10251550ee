; cleanup: reject


call f
r0 = 0
exit
f:
r0 = r10
exit	; error: cannot return stack pointer to the caller
