; all: reject
; Kernel rule (check_func_arg, OBJ_RELEASE): __sk_buff->sk is no reference of the
; program's, so bpf_sk_release refuses it.

.ctx tc

r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_sk_release	; error: R1 must be referenced when passed to release function
out:
r0 = 0
exit
