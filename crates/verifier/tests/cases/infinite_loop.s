// expect: reject
// expect-msg: infinite loop detected at insn 1


r0 = 0
l:
if r0 == 0 goto l
exit
