; cleanup: accept


call bpf_get_prandom_u32
r0 &= 3
if r0 & 4 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
