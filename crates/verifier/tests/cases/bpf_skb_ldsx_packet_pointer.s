; all: reject
; Kernel rule (bpf_skb_is_valid_access, info->is_ldsx): a sign-extending load of
; data, data_end or data_meta is refused; of a plain field it is allowed.

.ctx tc

r0 = *(s16 *)(r1 + 0)
r2 = *(s32 *)(r1 + 80)	; error: invalid bpf_context access off=80 size=4
exit
