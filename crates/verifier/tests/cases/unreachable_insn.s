; cleanup: reject


r0 = 0
exit
r0 = 1	; error: unreachable insn 2
exit
