; all: reject
; Kernel rule (lwt_is_valid_access): lwt programs may not touch tc_classid.

.ctx lwt_xmit

r0 = *(u16 *)(r1 + 72)	; error: invalid bpf_context access off=72 size=2
exit
