; all: reject
// Bounded recursion: do_check follows it four calls deep (r1 < 4), but
// check_max_stack_depth_subprog walks the call graph and stops at frame 8 (0-based):
// "the call stack of 8 frames is too deep !" (the selftest verifier_loops1/bounded
// recursion). __check_func_call's own limit, "the call stack of %d frames is too deep"
// (no "!"), names curframe + 2 frames instead (recursion_too_deep.s: 9).

.ctx tracepoint
r1 = 0
call f
exit
f:
r1 += 1	; error: the call stack of 8 frames is too deep !
r0 = r1
if r1 < 4 goto l0
exit
l0:
call f
exit
