; cleanup: reject

.ctx tc

call bpf_sk_release	; error: R1 type=ctx expected=sock
r0 = 0
exit
