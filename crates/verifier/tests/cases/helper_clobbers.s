; cleanup: reject


call bpf_ktime_get_ns
r0 = r1	; error: R1 !read_ok
exit
