; all: reject
; Kernel rule (bpf_sock_is_valid_access): a narrow load of family is at its first byte;
; the padding after dst_port is refused.

.ctx cgroup_sock

r2 = *(u8 *)(r1 + 4)
r2 = *(u16 *)(r1 + 6)	; error: invalid bpf_context access off=6 size=2
r0 = 1
exit
