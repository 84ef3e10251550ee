; all: reject
; Kernel rule (tp_prog_is_valid_access): a tracepoint program does not read the record's
; first 8 bytes (the common fields).

.ctx tracepoint

r0 = *(u32 *)(r1 + 4)	; error: invalid bpf_context access off=4 size=4
r0 = 0
exit
