// expect: reject
// expect-msg: R2 !read_ok


r0 = r2
exit
