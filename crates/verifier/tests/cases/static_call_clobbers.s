// expect: reject
// expect-msg: R1 !read_ok


r1 = 1
call f
r0 = r1
exit
f:
r0 = 0
exit
