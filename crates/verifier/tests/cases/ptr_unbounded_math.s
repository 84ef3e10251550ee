; cleanup: reject


call bpf_get_prandom_u32
r1 = r10
r0 <<= 32
r0 s>>= 32
r0 = -r0
r1 += r0	; error: math between fp pointer and register with unbounded min value is not allowed
r0 = 0
exit
