; all: reject
// A global function is verified on its own ("Func#1 ('g') is global and assumed valid.") but
// runs on its caller's stack: check_max_stack_depth_subprog walks into it like into a static
// one, "combined stack size of 2 calls is 560. Too large".

.globl g(scalar)
*(u64 *)(r10 - 256) = r1
r1 = 0
call g
r0 = 0
exit
g:
*(u64 *)(r10 - 304) = r1	; error: combined stack size of 2 calls is 560. Too large
r0 = 0
exit
