; all: accept
// A bpf_loop callback that calls a global function ("Func#N ('gf') is global and assumed
// valid.") and branches on its result.

.ctx tc
.globl gf(scalar)
r1 = 0
*(u64 *)(r10 - 8) = r1
call bpf_get_prandom_u32
r1 = r0
r2 = cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit

cb:
r6 = r2
call gf
if r0 != 0 goto o
r0 = 1
exit
o:
r0 = 0
exit

gf:
r0 = r1
r0 &= 1
exit
