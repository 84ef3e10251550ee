// expect: reject
// expect-msg: jump out of range from insn 1 to -1


r0 = 0
goto -3
exit
