; all: reject
; Kernel rule (__sock_filter_check_attach_type): src_ip4 is for BPF_CGROUP_INET4_POST_BIND
; programs only; a cgroup_sock program without an attach type is a SOCK_CREATE one.

.ctx cgroup_sock

r2 = *(u32 *)(r1 + 24)	; error: invalid bpf_context access off=24 size=4
r0 = 1
exit
