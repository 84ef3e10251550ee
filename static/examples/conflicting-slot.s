// One stack slot, two resource types.
//
// Short packets allocate an object, long ones reserve a ringbuf record; both end up in fp-8
// and r7 remembers which. The normal path releases each correctly (the verifier knows r7 on
// each path), but at the bpf_throw the descriptor would need "object" and "ringbuf record"
// for the same slot: `cleanup` refuses the merge; `cleanup-v2` gives each acquisition its own
// zero-initialised slot and accepts.
.ctx tc
.map events ringbuf key=0 value=0 max_entries=4096

	r6 = r1
	r2 = *(u32 *)(r6 + 0)		// skb->len
	if r2 > 100 goto record
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 0				// fp-8 holds an object
	goto check
record:
	r1 = map[events] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 1				// fp-8 holds a ringbuf record
check:
	r2 = *(u32 *)(r6 + 16)		// skb->protocol
	if r2 != 0 goto release
	r1 = 2
	call bpf_throw			// fp-8: object on one path, record on the other
release:
	r1 = *(u64 *)(r10 - 8)
	if r7 == 1 goto discard
	call bpf_obj_drop
	goto out
discard:
	r2 = 0
	call bpf_ringbuf_discard
out:
	r0 = 0
	exit
