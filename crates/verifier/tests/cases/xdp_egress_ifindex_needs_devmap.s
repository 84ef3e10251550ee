; all: reject
; Kernel rule (xdp_is_valid_access): egress_ifindex only for BPF_XDP_DEVMAP programs;
; Unwind's programs have no attach type.

.ctx xdp

r0 = *(u32 *)(r1 + 20)	; error: invalid bpf_context access off=20 size=4
exit
