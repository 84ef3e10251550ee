; all: reject
// check_ld_abs: a reference held at the load would leak on its failure path, which leaves the
// function (verifier_ref_tracking.c ld_abs_while_holding_reference): check_reference_leak's
// line, then "BPF_LD_[ABS|IND] cannot be mixed with socket references".
.ctx tc
	r6 = r1
	r2 = 0
	*(u64 *)(r10 - 8) = r2
	*(u64 *)(r10 - 16) = r2
	*(u64 *)(r10 - 24) = r2
	*(u64 *)(r10 - 32) = r2
	*(u64 *)(r10 - 40) = r2
	r2 = r10
	r2 += -40
	r3 = 36
	r4 = 0
	r5 = 0
	call bpf_sk_lookup_tcp
	r7 = r0
	r0 = *(u8 *)skb[0]	; log: Unreleased reference id=1 alloc_insn=12
		;^ error: BPF_LD_[ABS|IND] cannot be mixed with socket references
	if r7 == 0 goto out
	r1 = r7
	call bpf_sk_release
out:
	r0 = 0
	exit
