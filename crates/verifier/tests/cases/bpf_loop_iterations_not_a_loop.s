; cleanup: accept
// Two iterations of a bpf_loop callback reach a branch target in the same state but for the
// iteration count: is_state_visited's infinite-loop check compares callback_unroll_depth, so
// this is progress, not an infinite loop.
.ctx tc
*(u64 *)(r10 - 72) = r1
r1 = 2
r2 = cb
r3 = r10
r3 += -72
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r1 = *(u64 *)(r2 + 0)
*(u64 *)(r10 - 72) = r1
*(u64 *)(r10 - 8) = 0
r9 = 0
r1 = *(u64 *)(r10 - 72)
r2 = *(u32 *)(r1 + 0)
if r2 < 2 goto l1
*(u64 *)(r10 - 40) = 0
r1 = 8
call bpf_obj_new
r7 = r0
goto l2
l1:
*(u64 *)(r10 - 40) = 1
r1 = 8
call bpf_obj_new
r7 = r0
l2:
r1 = r7
if r1 == 0 goto l3
call bpf_obj_drop
l3:
r0 = 0
exit
