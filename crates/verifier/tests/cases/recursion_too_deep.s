// expect: reject
// expect-msg: the call stack of 9 frames is too deep


call f
r0 = 0
exit
f:
call f
r0 = 0
exit
