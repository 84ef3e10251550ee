; all: reject
; Kernel rule (bpf_skb_is_valid_access): narrow reads of a plain field are aligned to
; their size (off % size); a load wider than the field is refused.

.ctx tc

r0 = *(u16 *)(r1 + 10)
r0 = *(u16 *)(r1 + 9)	; error: invalid bpf_context access off=9 size=2
exit
