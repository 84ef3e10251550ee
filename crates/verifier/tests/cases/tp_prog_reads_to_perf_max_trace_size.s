; all: accept
; Kernel rule (tp_prog_is_valid_access): aligned loads anywhere from byte 8 to
; PERF_MAX_TRACE_SIZE (8192).

.ctx tracepoint

r0 = *(u64 *)(r1 + 8)
r0 = *(u32 *)(r1 + 8188)
r0 = 0
exit
