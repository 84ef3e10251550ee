; all: reject
; Kernel rule (sk_filter_is_valid_access): no tstamp for socket filters.

.ctx socket

r0 = *(u64 *)(r1 + 152)	; error: invalid bpf_context access off=152 size=8
exit
