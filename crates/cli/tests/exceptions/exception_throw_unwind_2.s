; kernel: progs/exceptions.c exception_throw_unwind_2 (retval 32, run on pkt_v4)
; ctx: 40000000 00000000 00000000 00000000 08000000
; all: accept retval=32 throws=1
; static2global (static) -> global2static (global) -> ...; bpf_ntohs(ctx->protocol) - 1 != ETH_P_IP: global2static calls static_func, which throws 32.
; The ctx is pkt_v4's: len 64, protocol htons(ETH_P_IP).
.ctx tc
.globl global2static(scalar)

	r1 = *(u32 *)(r1 + 16)		// ctx->protocol
	r1 = be16 r1
	r1 -= 1
	call static2global
	exit

static2global:
	r6 = r1
	call global2static
	r0 += r6
	exit

global2static:
	if r1 != 0x800 goto not_ip	// ETH_P_IP
	r1 = 16
	call bpf_throw
not_ip:
	call static_func
	exit

static_func:
	r6 = r1
	r1 = 32
	call bpf_throw
	r0 = r6
	exit
