; all: accept
// bpf_loop inside a bpf_loop callback, the inner callback counting in the outer's ctx: the
// states never converge, so each loop ends at its count's bound. The kernel counts each
// loop's iterations in the calling frame (callback_depth, reset for the path that goes on
// after the call) and tells iterations apart by callback_unroll_depth, which is never reset.
// Resetting one state-wide count after the inner loop made the outer iterations look alike:
// "infinite loop detected at insn 17".

.ctx tc
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = 2
r2 = outer
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit
outer:
r1 = 3
r3 = r2
r2 = inner
r4 = 0
call bpf_loop
r0 = 0
exit
inner:
r6 = *(u64 *)(r2 + 0)
r6 += 1
*(u64 *)(r2 + 0) = r6
r0 = 0
exit
