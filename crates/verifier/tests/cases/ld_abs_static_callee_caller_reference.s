; all: accept
// check_ld_abs calls check_reference_leak, which (6.12) looks at a static callee's frame as
// its exit would: nothing leaks there (`state->frameno && !in_callback_fn` returns 0),
// since bpf_gen_ld_abs's failure path returns 0 to the caller, which still holds its socket
// and releases it. Only at the program's level (ld_abs_with_reference.s) or in a callback
// (its own references) would the failure path leak.
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
	r1 = r6
	call load_byte
	if r7 == 0 goto out
	r1 = r7
	call bpf_sk_release
out:
	r0 = 0
	exit
load_byte:
	r6 = r1
	r0 = *(u8 *)skb[0]
	exit
