; all: reject
// check_max_stack_depth_subprog walks global callees too: a bpf_throw in a global function
// called from a bpf_loop callback is refused, naming the throw and the function that holds it,
// "bpf_throw kfunc (insn 14) cannot be called from callback subprog 2". v6.7 (legacy) does not
// see the global's throw at the call, so only the walk after verification refuses it (at the
// throw); the other modes refuse the call, an exception exit inside a callback, with the same
// words.

.ctx tc
.globl g(scalar)
r1 = 3
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r1 = 1
call g
r0 = 0
exit
g:
if r1 == 0 goto o
r1 = 5
call bpf_throw	; error: bpf_throw kfunc (insn 14) cannot be called from callback subprog 2
o:
r0 = 0
exit
