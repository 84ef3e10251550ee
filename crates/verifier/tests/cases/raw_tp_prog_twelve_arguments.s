; all: reject
; Kernel rule (raw_tp_prog_is_valid_access): a raw tracepoint has at most 12 u64 arguments.

.ctx raw_tp

r0 = *(u64 *)(r1 + 88)
r0 = *(u64 *)(r1 + 96)	; error: invalid bpf_context access off=96 size=8
r0 = 0
exit
