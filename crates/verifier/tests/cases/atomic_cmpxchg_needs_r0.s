; cleanup: reject


r1 = 0
*(u64 *)(r10 - 8) = r1
r0 = cmpxchg_64(r10 - 8, r0, r1)	; error: R0 !read_ok
exit
