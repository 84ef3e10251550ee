; cleanup: accept


call bpf_get_prandom_u32
r0 &= 1
if r0 != 0 goto one
r0 = 0
exit
one:
if r0 == 1 goto ok
r0 = *(u64 *)(r0 + 0)
ok:
r0 = 0
exit
