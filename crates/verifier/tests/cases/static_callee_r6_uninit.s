; cleanup: reject


r6 = 1
call f
exit
f:
r0 = r6	; error: R6 !read_ok
exit
