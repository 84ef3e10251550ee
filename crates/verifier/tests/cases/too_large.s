; cleanup: reject


r0 = 0
l:
r0 += 1
if r0 != 0 goto l	; error: BPF program is too large. Processed 1000001 insn
exit
