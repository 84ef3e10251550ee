; cleanup: reject

.ctx socket

r2 = 1
*(u32 *)(r1 + 8) = r2	; error: invalid bpf_context access off=8 size=4
r0 = 0
exit
