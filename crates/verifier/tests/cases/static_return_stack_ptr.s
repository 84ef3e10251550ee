// expect: reject
// expect-msg: cannot return stack pointer to the caller


call f
r0 = 0
exit
f:
r0 = r10
exit
