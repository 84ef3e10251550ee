; all: reject
; Kernel rule (sk_skb_is_valid_access): mark is refused to sk_skb programs, even to read.

.ctx sk_skb

r0 = *(u32 *)(r1 + 8)	; error: invalid bpf_context access off=8 size=4
exit
