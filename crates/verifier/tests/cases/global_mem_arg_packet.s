; all: accept
// A packet pointer with 8 bytes known in the packet (the data_end compare) passes an 8-byte
// memory argument of a global function: check_mem_reg → check_packet_access within range.

.ctx tc
.globl g(mem:8)
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r1 = r2
r2 += 8
if r2 > r3 goto out
call g
out:
r0 = 0
exit
g:
r0 = 0
exit
