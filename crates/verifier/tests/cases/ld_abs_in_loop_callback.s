; all: accept
// The kernel (6.12) has no callback rule in check_ld_abs: a bpf_loop callback may load from
// the packet (its R6 a ctx read back from the caller's stack). bpf_gen_ld_abs's failure path
// returns 0 from the callback, which continues the loop: R0 = 0 is in the callback's range.
.ctx socket
	*(u64 *)(r10 - 8) = r1
	r1 = 4
	r2 = cb ll
	r3 = r10
	r3 += -8
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
cb:
	r6 = *(u64 *)(r2 + 0)
	r0 = *(u32 *)skb[0]
	r0 = 1
	exit
