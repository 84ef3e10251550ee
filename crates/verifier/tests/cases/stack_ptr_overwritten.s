; cleanup: reject


*(u64 *)(r10 - 8) = r10
r2 = 1
*(u32 *)(r10 - 8) = r2
r1 = *(u64 *)(r10 - 8)
r0 = *(u64 *)(r1 - 8)	; error: R1 invalid mem access 'scalar'
exit
