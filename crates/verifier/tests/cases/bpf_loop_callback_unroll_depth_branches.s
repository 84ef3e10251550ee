; all: accept
// is_state_visited reports "infinite loop detected at insn N" only between states of one
// callback iteration (sl->state.callback_unroll_depth == cur->callback_unroll_depth): the
// second iteration of a bpf_loop callback with branches reaches its instructions in the
// first one's state, which is no loop. The iterations converge at the call (calls_callback:
// states_equal at the callback-calling insn), as the kernel's do.

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
r6 = r1
call bpf_get_prandom_u32
if r0 > 10 goto big
r0 = 0
exit
big:
if r6 == 3 goto one
r0 = 0
exit
one:
r0 = 1
exit
