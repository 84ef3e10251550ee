// Conditional acquisition that merges with NULL.
//
// The object is allocated only for long packets. At the bpf_throw, fp-8 holds NULL on one
// path and the object on the other: the frame descriptor for that pc merges the two into
// "fp-8: object", and the unwinder skips the slot when it is NULL at run time.
// (The RFC's worked example: p = NULL; if (x) p = bpf_obj_new(..); if (y) bpf_throw(0);)
.ctx tc

	r6 = r1
	r1 = 0
	*(u64 *)(r10 - 8) = r1		// p = NULL
	r2 = *(u32 *)(r6 + 0)		// skb->len
	if r2 < 32 goto check
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto check
	*(u64 *)(r10 - 8) = r0		// p = the object
check:
	r2 = *(u32 *)(r6 + 16)		// skb->protocol
	if r2 != 0 goto done
	r1 = 1
	call bpf_throw			// unwinding drops p, if it is not NULL
done:
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto out
	call bpf_obj_drop
out:
	r0 = 0
	exit
