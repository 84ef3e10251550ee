; all: reject
; Kernel rule (sk_filter_is_valid_access: bpf_ctx_range_till(family, local_port)).

.ctx socket

r0 = *(u32 *)(r1 + 88)	; error: invalid bpf_context access off=88 size=4
exit
