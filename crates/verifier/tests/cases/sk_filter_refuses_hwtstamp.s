; all: reject
; Kernel rule (sk_filter_is_valid_access): no hwtstamp for socket filters.

.ctx socket

r0 = *(u64 *)(r1 + 184)	; error: invalid bpf_context access off=184 size=8
exit
