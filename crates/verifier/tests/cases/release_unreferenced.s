// expect: reject
// expect-msg: R1 type=ctx expected=sock

.ctx tc

call bpf_sk_release
r0 = 0
exit
