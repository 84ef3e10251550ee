; cleanup: reject
// exceptions_fail.c reject_with_cb: a bpf_loop callback throws.
.ctx tc
r1 = 2
r2 = loop_cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
loop_cb:
r1 = 5
call bpf_throw	; error: bpf_throw kfunc (insn 9) cannot be called from callback subprog 1
r0 = 0
exit
