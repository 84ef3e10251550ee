; all: reject
// In a callback, check_reference_leak counts the references the callback acquired (6.12:
// callback_ref): bpf_gen_ld_abs's failure path would return from the callback with the
// object still held ("Unreleased reference", then "BPF_LD_[ABS|IND] cannot be mixed with
// socket references").
.ctx socket
	*(u64 *)(r10 - 8) = r1
	r1 = 2
	r2 = cb ll
	r3 = r10
	r3 += -8
	r4 = 0
	call bpf_loop
	r0 = 0
	exit
cb:
	r6 = *(u64 *)(r2 + 0)
	r1 = 8
	r2 = 0
	call bpf_obj_new
	r7 = r0
	r0 = *(u8 *)skb[0]	; log: Unreleased reference id=1 alloc_insn=13
		;^ error: BPF_LD_[ABS|IND] cannot be mixed with socket references
	if r7 == 0 goto out
	r1 = r7
	r2 = 0
	call bpf_obj_drop
out:
	r0 = 0
	exit
