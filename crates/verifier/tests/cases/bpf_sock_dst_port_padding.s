; all: reject
; Kernel rule (bpf_sock_is_valid_access): dst_port is a __be16 (or the word it starts);
; the two bytes after it are padding.

.ctx cgroup_sock

r2 = *(u8 *)(r1 + 49)
r2 = *(u32 *)(r1 + 48)
r2 = *(u16 *)(r1 + 50)	; error: invalid bpf_context access off=50 size=2
r0 = 1
exit
