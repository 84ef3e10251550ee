; all: reject
// check_helper_call, BPF_FUNC_tail_call: the target runs in this program's place and never
// comes back, so a held reference would leak (verifier_ref_tracking.c
// possible_reference_over_tail_call): check_reference_leak's line, then "tail_call would lead
// to reference leak".
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r7 = r1
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
	r6 = r0
	r3 = 3
	r2 = map[pa] ll
	r1 = r7
	call bpf_tail_call	; log: Unreleased reference id=1 alloc_insn=12
		;^ error: tail_call would lead to reference leak
	r0 = 0
	r1 = r6
	if r1 == 0 goto out
	call bpf_sk_release
out:
	exit
