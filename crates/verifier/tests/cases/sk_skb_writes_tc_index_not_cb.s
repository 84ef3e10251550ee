; all: reject
; Kernel rule (sk_skb_is_valid_access): sk_skb stores go to tc_index and priority only.

.ctx sk_skb

*(u32 *)(r1 + 44) = 0
*(u32 *)(r1 + 48) = 0	; error: invalid bpf_context access off=48 size=4
r0 = 0
exit
