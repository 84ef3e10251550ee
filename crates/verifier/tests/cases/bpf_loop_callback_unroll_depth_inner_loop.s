; all: accept
// A bounded loop inside a bpf_loop callback: within one callback iteration the loop
// makes progress (r6 grows); across iterations its states repeat, which the kernel's
// infinite-loop check ignores (callback_unroll_depth differs).

.ctx tc
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
r6 = 0
r7 = 0
loop:
call bpf_get_prandom_u32
r7 += r0
r6 += 1
if r6 < 10 goto loop
r0 = 0
exit
