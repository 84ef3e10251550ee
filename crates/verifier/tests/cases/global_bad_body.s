; cleanup: reject
; log: Validating g() func#1...

.globl g

call g
exit
g:
exit	; error: R0 !read_ok
