; cleanup: reject
// exceptions_fail.c reject_set_exception_cb_bad_ret2: the default callback returns the cookie,
// which must pass the program's return rules (cgroup_skb: [0, 1]).
.ctx cgroup_skb
r1 = 64
call bpf_throw	; error: At program exit the register R1 has smin=64 smax=64 should have been in [0, 1]
r0 = 0
exit
