; cleanup: reject


exit	; error: R0 !read_ok
