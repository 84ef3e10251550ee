; all: reject
; Kernel rule (xdp_is_valid_access, info->is_ldsx): no sign-extending load of data_meta.

.ctx xdp

r0 = *(s32 *)(r1 + 12)
r2 = *(s32 *)(r1 + 8)	; error: invalid bpf_context access off=8 size=4
r0 = 2
exit
