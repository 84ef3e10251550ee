; all: reject
; Kernel rule (__sock_filter_check_attach_type): fields other than bound_dev_if, mark and
; priority are read-only.

.ctx cgroup_sock

*(u32 *)(r1 + 4) = 2	; error: invalid bpf_context access off=4 size=4
r0 = 1
exit
