; cleanup: reject

.ctx socket

r0 = *(u32 *)(r1 + 76)	; error: invalid bpf_context access off=76 size=4
exit
