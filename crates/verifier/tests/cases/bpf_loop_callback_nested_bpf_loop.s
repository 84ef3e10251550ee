; all: accept
// bpf_loop inside a bpf_loop callback (push_callback_call at each level, callback_depth per
// frame): each level iterates until its call-site states converge.

.ctx tc
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = 4
r2 = cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit

cb:
r1 = 3
r2 = inner
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit

inner:
call bpf_get_prandom_u32
if r0 > 5 goto a
r0 = 1
exit
a:
r0 = 0
exit
