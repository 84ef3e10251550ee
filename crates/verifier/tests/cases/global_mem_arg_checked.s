; cleanup: accept

.globl g(mem:8)

r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
call g
exit
g:
r0 = 0
if r1 == 0 goto out
r0 = *(u64 *)(r1 + 0)
out:
exit
