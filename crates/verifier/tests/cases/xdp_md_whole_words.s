; all: reject
; Kernel rule (__is_valid_xdp_access): xdp_md is read in whole 4-byte words only.

.ctx xdp

r0 = *(u16 *)(r1 + 12)	; error: invalid bpf_context access off=12 size=2
exit
