// expect: reject
// expect-msg: jump out of range from insn 0 to 5


goto +4
r0 = 0
exit
