; all: reject
// A packet pointer as a global function's memory argument: check_mem_reg →
// check_packet_access, 8 bytes where 4 are known to be in the packet: "R1 offset is outside
// of the packet"; "Caller passes invalid args into func#1 ('g')".

.ctx tc
.globl g(mem:8)
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r1 = r2
r2 += 4
if r2 > r3 goto out
call g	; log: R1 offset is outside of the packet
	;^ error(upstream, cleanup, cleanup-v2, runtime): Caller passes invalid args into func#1 ('g')
	;^ error(legacy): Caller passes invalid args into func#1
out:
r0 = 0
exit
g:
r0 = 0
exit
