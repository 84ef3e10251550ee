; cleanup: reject
// A known difference: the kernel accepts this (it widens the imprecise counter after an
// iteration); without precision tracking every iteration differs and the count is unbounded.

.ctx tc
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = r6
call bpf_get_prandom_u32
r1 = r0
r2 = cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop	; error: The sequence of 8192 jumps is too complex.
r0 = 0
exit

cb:
r6 = *(u64 *)(r2 + 0)
r6 += 1
*(u64 *)(r2 + 0) = r6
r0 = 0
exit
