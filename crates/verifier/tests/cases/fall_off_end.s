; cleanup: reject


r0 = 0	; error: last insn is not an exit or jmp
