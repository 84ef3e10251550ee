// expect: reject
// expect-msg: R0 !read_ok


call f
exit
f:
exit
