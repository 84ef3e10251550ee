; all: reject
; Kernel rule (bpf_skb_is_valid_access): tstamp is read whole (8 bytes).

.ctx tc

r0 = *(u32 *)(r1 + 152)	; error: invalid bpf_context access off=152 size=4
exit
