; all: accept
; Kernel rule (sock_filter_is_valid_access, BPF_CGROUP_INET_SOCK_CREATE, the attach type a
; cgroup_sock program loaded without one gets): bound_dev_if, mark and priority are written
; whole; family is read narrow at its start; state is read.

.ctx cgroup_sock

*(u32 *)(r1 + 0) = 1
r2 = *(u32 *)(r1 + 16)
*(u32 *)(r1 + 20) = r2
r2 = *(u16 *)(r1 + 4)
r2 = *(u32 *)(r1 + 72)
r0 = 1
exit
