; all: reject
; Kernel rule (bpf_skb_is_valid_access): an access in cb[] may not reach past cb[4].

.ctx socket

r0 = *(u64 *)(r1 + 64)	; error: invalid bpf_context access off=64 size=8
exit
