; all: reject
; Kernel rule (sysctl_is_valid_access): file_pos is written whole, write is read-only;
; both are read narrow.

.ctx cgroup_sysctl

r2 = *(u8 *)(r1 + 1)
r2 = *(u16 *)(r1 + 6)
*(u32 *)(r1 + 4) = 0
*(u32 *)(r1 + 0) = 1	; error: invalid bpf_context access off=0 size=4
r0 = 1
exit
