; all: reject
; Kernel rule (tc_cls_act_is_valid_access: bpf_ctx_range_till(family, local_port)).

.ctx tc

r0 = *(u32 *)(r1 + 132)	; error: invalid bpf_context access off=132 size=4
exit
