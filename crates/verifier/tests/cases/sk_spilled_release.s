; cleanup: accept

.ctx tc

r2 = 0
*(u64 *)(r10 - 8) = r2
*(u64 *)(r10 - 16) = r2
*(u64 *)(r10 - 24) = r2
*(u64 *)(r10 - 32) = r2
*(u64 *)(r10 - 40) = r2
r2 = r10
r2 += -40
r3 = 36
r4 = 0
r5 = 0
call bpf_sk_lookup_tcp
*(u64 *)(r10 - 48) = r0
if r0 == 0 goto out
r1 = *(u64 *)(r10 - 48)
call bpf_sk_release
out:
r0 = 0
exit
