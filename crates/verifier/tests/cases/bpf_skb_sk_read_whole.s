; all: accept
; Kernel rule (bpf_skb_is_valid_access): __sk_buff->sk is an 8-byte read giving
; sock_common_or_null; after a NULL check its family may be read.

.ctx tc

r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r0 = *(u32 *)(r2 + 4)
out:
r0 = 0
exit
