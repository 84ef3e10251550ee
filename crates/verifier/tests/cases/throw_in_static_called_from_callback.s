; all: reject
// check_max_stack_depth_subprog refuses a bpf_throw when the function that holds it or any
// caller on the walk is a callback, and names the instruction and the subprogram that holds
// the throw (its idx), here the static function f (subprog 2) that the bpf_loop callback cb
// (subprog 1) calls: "bpf_throw kfunc (insn 12) cannot be called from callback subprog 2".

r1 = 3
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
call f
r0 = 0
exit
f:
r1 = 1
call bpf_throw	; error: bpf_throw kfunc (insn 12) cannot be called from callback subprog 2
r0 = 0
exit
