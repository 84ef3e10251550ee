// expect: reject
// expect-msg: invalid func unknown#999


call 999
r0 = 0
exit
