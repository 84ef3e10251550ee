; cleanup: reject
// exceptions_fail.c reject_exception_cb_type_3: the callback takes two arguments.
.ctx tc
.globl cb(scalar, scalar)
.exception_callback cb
r1 = 1
call bpf_throw
r0 = 0
exit
cb:
r0 = r1	; error: exception cb only supports single integer argument
exit
