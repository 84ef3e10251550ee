; all: reject
; Kernel rule (sk_filter_is_valid_access): no wire_len for socket filters.

.ctx socket

r0 = *(u32 *)(r1 + 160)	; error: invalid bpf_context access off=160 size=4
exit
