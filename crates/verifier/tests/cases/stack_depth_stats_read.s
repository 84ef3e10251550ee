; all: accept
; log-level: 4
; log: stack depth 8+16
// print_verification_stats at BPF_LOG_STATS (log level 4) names every subprogram's
// stack_depth. main only reads fp-8 (uninitialised, as a privileged load may), its callee
// only reads fp-16: grow_stack_state counts reads as writes (Linux >= 6.8), 8+16 (the
// selftest verifier_basic_stack/uninitialized_stack1 expects "stack depth 8").

r0 = *(u64 *)(r10 - 8)
call f
r0 = 0
exit
f:
r1 = r10
r1 += -16
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
