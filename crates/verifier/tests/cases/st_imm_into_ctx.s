; all: accept
; Kernel rule (since Linux 6.3, "bpf: allow ctx writes using BPF_ST_MEM instruction"):
; a store of an immediate into ctx is checked by the ctx rules like a register store.

.ctx tc

*(u32 *)(r1 + 8) = 0
*(u64 *)(r1 + 48) = 7
r0 = 0
exit
