; all: reject
; Kernel rule (bpf_skb_is_valid_access): a store into a plain __sk_buff field is a whole
; 4-byte store, whether BPF_ST or BPF_STX.

.ctx tc

*(u16 *)(r1 + 8) = 0	; error: invalid bpf_context access off=8 size=2
r0 = 0
exit
