; cleanup: reject


r1 = 1
call f
r0 = r1	; error: R1 !read_ok
exit
f:
r0 = 0
exit
