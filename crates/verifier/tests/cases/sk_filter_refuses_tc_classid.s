; all: reject
; Kernel rule (sk_filter_is_valid_access): socket filters may not touch tc_classid.

.ctx socket

r0 = *(u32 *)(r1 + 72)	; error: invalid bpf_context access off=72 size=4
exit
