; all: reject
; Kernel rule (nf_is_valid_access): the netfilter ctx's two pointers are read whole.

.ctx netfilter

r0 = *(u32 *)(r1 + 8)	; error: invalid bpf_context access off=8 size=4
r0 = 1
exit
