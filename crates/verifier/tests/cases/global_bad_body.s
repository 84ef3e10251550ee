// expect: reject
// expect-msg: Validating g() func#1...
// expect-msg: R0 !read_ok

.globl g

call g
exit
g:
exit
