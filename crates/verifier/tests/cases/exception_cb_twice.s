; cleanup: reject
// exceptions_fail.c reject_multiple_exception_cb.
.ctx tc
.globl cb(scalar)
.globl cb2(scalar)
.exception_callback cb
.exception_callback cb2
r1 = 1	; error: multiple exception callback tags for main subprog
call bpf_throw
r0 = 0
exit
cb:
r0 = r1
exit
cb2:
r0 = r1
exit
