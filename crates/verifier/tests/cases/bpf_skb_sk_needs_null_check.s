; all: reject
; Kernel rule (bpf_skb_is_valid_access: PTR_TO_SOCK_COMMON_OR_NULL): __sk_buff->sk may be
; NULL, so it is checked before it is read through.

.ctx socket

r2 = *(u64 *)(r1 + 168)
r0 = *(u32 *)(r2 + 4)	; error: R2 invalid mem access 'sock_common_or_null'
exit
