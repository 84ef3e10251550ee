; all: reject
; Kernel rule (xdp_is_valid_access): only an offloaded program writes rx_queue_index.

.ctx xdp

*(u32 *)(r1 + 16) = 0	; error: invalid bpf_context access off=16 size=4
r0 = 2
exit
