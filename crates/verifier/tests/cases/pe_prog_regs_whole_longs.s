; all: reject
; Kernel rule (pe_prog_is_valid_access): perf_event programs read pt_regs as whole longs;
; sample_period and addr may be read narrow.

.ctx perf_event

r0 = *(u16 *)(r1 + 178)
r0 = *(u32 *)(r1 + 168)
r0 = *(u32 *)(r1 + 0)	; error: invalid bpf_context access off=0 size=4
r0 = 0
exit
