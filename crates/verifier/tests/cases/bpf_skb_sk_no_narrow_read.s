; all: reject
; Kernel rule (bpf_skb_is_valid_access, bpf_ctx_range_ptr(sk)): no half of the sk pointer.

.ctx tc

r0 = *(u32 *)(r1 + 172)	; error: invalid bpf_context access off=172 size=4
exit
