; all: reject
// check_max_stack_depth_subprog follows bpf_pseudo_func as well as bpf_pseudo_call: a
// bpf_loop callback loaded in main runs on main's stack, so its 304 bytes add to main's 256:
// "combined stack size of 2 calls is 560. Too large". (Async callbacks, bpf_timer's, start
// chains of their own: timer_callback.s.)

*(u64 *)(r10 - 256) = r1
r1 = 4
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
*(u64 *)(r10 - 304) = r1	; error: combined stack size of 2 calls is 560. Too large
r0 = 0
exit
