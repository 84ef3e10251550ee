; cleanup: accept


call bpf_get_prandom_u32
r0 |= 8
if r0 == 0 goto bad
r0 = 0
exit
bad:
exit
