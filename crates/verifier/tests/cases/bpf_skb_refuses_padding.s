; all: reject
; Kernel rule (bpf_skb_is_valid_access): the padding after tstamp_type is refused.

.ctx tc

r0 = *(u8 *)(r1 + 181)	; error: invalid bpf_context access off=181 size=1
exit
