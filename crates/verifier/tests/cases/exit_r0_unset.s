// expect: reject
// expect-msg: R0 !read_ok


exit
