; all: reject
; Kernel rule (bpf_sock_common_is_valid_access): through __sk_buff->sk (a sock_common)
; family may be read but not type, protocol, mark or priority.

.ctx tc

r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r0 = *(u32 *)(r2 + 4)
r0 = *(u32 *)(r2 + 8)	; error: R2 invalid sock_common access off=8 size=4
out:
r0 = 0
exit
