; cleanup: reject


r0 = 0
goto -3	; error: jump out of range from insn 1 to -1
exit
