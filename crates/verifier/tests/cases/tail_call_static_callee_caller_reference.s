; all: accept
// The tail call's check_reference_leak (6.12) looks at a static callee's frame as its exit
// would: from a subprogram the target returns in the subprogram's place, to the caller,
// which still holds its socket and releases it. (In the main program the same call is a
// leak: tail_call_reference_leak.s.)
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
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
	call jump
	if r7 == 0 goto out
	r1 = r7
	call bpf_sk_release
out:
	r0 = 0
	exit
jump:
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call
	r0 = 0
	exit
