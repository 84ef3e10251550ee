; cleanup: reject


r0 = 0
l:
if r0 == 0 goto l	; error: infinite loop detected at insn 1
exit
