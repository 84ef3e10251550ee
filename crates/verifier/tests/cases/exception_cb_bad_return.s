; cleanup: reject
// exceptions_fail.c reject_set_exception_cb_bad_ret1: the callback's R0 is checked against the
// program's return rules.
.ctx cgroup_skb
.globl cb(scalar)
.exception_callback cb
r1 = 64
call bpf_throw
r0 = 0
exit
cb:
r0 = r1
exit	; error: At program exit the register R0 has unknown scalar value should have been in [0, 1]
