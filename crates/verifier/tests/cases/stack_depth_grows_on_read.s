; all: reject
// Linux >= 6.8: check_stack_access_within_bounds ends in grow_stack_state for reads as for
// writes, so a read at fp-256 makes main's stack_depth 256 (allocated_stack), and
// check_max_stack_depth counts it: "combined stack size of 2 calls is 560. Too large"
// (256 + 304: each frame rounded up to 16, as with a JIT since 6.9; the running kernel
// says 560 too). The reads are of uninitialised stack, which a
// privileged load may do.

r6 = r10
r6 += -256
r0 = *(u64 *)(r6 + 0)
call f
r0 = 0
exit
f:
r1 = r10	; error: combined stack size of 2 calls is 560. Too large
r1 += -300
r0 = *(u8 *)(r1 + 0)
r0 = 0
exit
