// expect: reject
// expect-msg: insn 0 cannot call exception cb directly

.globl ecb(scalar)
.exception_callback ecb

call ecb
exit
ecb:
r0 = r1
exit
