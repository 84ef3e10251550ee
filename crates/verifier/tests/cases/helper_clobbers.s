// expect: reject
// expect-msg: R1 !read_ok


call bpf_ktime_get_ns
r0 = r1
exit
