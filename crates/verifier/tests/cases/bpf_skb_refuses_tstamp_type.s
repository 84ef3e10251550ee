; all: reject
; Kernel rule (bpf_skb_is_valid_access): tstamp_type is refused to every __sk_buff type
; but tc.

.ctx cgroup_skb

r0 = *(u8 *)(r1 + 180)	; error: invalid bpf_context access off=180 size=1
r0 = 0
exit
