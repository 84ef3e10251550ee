; all: reject
// check_ld_abs: "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region"
// (verifier_spin_lock.c "spin_lock: test9 call within a locked region" has the helper form).
.ctx tc
.map m array key=4 value=8 max_entries=1
	r6 = r1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[m] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r7 = r0
	r1 = r7
	call bpf_spin_lock
	r0 = *(u8 *)skb[0]	; error: BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region
	r1 = r7
	call bpf_spin_unlock
out:
	r0 = 0
	exit
