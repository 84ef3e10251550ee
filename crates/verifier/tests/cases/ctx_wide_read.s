; cleanup: reject

.ctx tc

r0 = *(u64 *)(r1 + 0)	; error: invalid bpf_context access off=0 size=8
exit
