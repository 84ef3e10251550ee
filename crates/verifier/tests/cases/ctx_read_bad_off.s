; cleanup: reject

.ctx socket

r0 = *(u32 *)(r1 + 2)	; error: invalid bpf_context access off=2 size=4
exit
