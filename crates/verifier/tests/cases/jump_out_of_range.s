; cleanup: reject


goto +4	; error: jump out of range from insn 0 to 5
r0 = 0
exit
