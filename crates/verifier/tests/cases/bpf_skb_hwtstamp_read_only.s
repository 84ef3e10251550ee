; all: reject
; Kernel rule (bpf_skb_is_valid_access): hwtstamp is never written.

.ctx tc

r2 = 0
*(u64 *)(r1 + 184) = r2	; error: invalid bpf_context access off=184 size=8
r0 = 0
exit
