; cleanup: reject


call f
exit
f:
exit	; error: R0 !read_ok
