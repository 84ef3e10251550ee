; cleanup: reject

.ctx tc

r0 = *(u32 *)(r1 + 192)	; error: invalid bpf_context access off=192 size=4
exit
