; all: reject
; Kernel rule (bpf_skb_is_valid_access): the ip4/ip6 address fields have no narrow reads.

.ctx cgroup_skb

r2 = *(u32 *)(r1 + 104)
r2 = *(u16 *)(r1 + 92)	; error: invalid bpf_context access off=92 size=2
r0 = 0
exit
