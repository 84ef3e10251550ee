; all: accept
// A bpf_loop callback that calls a static function twice, each with branches: the
// callee's states of the first iteration are ancestors of the second's, with another
// callback_unroll_depth, so is_state_visited does not report "infinite loop detected".

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
r6 = r2
r1 = 5
call helper
if r0 > 3 goto out
r1 = r0
call helper
out:
r0 = 0
exit

helper:
call bpf_get_prandom_u32
r0 &= 7
if r0 > 4 goto x
r0 = 1
exit
x:
r0 += 1
exit
