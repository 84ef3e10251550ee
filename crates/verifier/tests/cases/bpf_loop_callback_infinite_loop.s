; all: reject
// The neighbour of bpf_loop_callback_unroll_depth_*: inside one callback iteration a loop
// that makes no progress is still the kernel's "infinite loop detected at insn N" (same
// callback_unroll_depth, states_equal EXACT).

r1 = 3
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r6 = 0
l:
r6 &= 0	; error: infinite loop detected at insn 9
if r6 == 0 goto l
r0 = 0
exit
