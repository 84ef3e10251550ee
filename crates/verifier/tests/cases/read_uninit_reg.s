; cleanup: reject


r0 = r2	; error: R2 !read_ok
exit
