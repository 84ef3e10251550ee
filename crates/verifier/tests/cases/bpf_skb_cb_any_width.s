; all: accept
; Kernel rule (bpf_skb_is_valid_access): cb[] takes aligned accesses of 1, 2, 4 and 8 bytes
; anywhere inside cb[0..4], loads and stores.

.ctx socket

r2 = *(u8 *)(r1 + 49)
*(u16 *)(r1 + 50) = r2
r3 = *(u64 *)(r1 + 48)
*(u64 *)(r1 + 56) = r3
*(u8 *)(r1 + 67) = 1
r0 = 0
exit
