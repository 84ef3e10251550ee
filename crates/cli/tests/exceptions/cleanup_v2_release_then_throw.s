; kernel: none; SPEC §4 cleanup-v2 and docs/exceptions.md's open design point: a dedicated slot must not outlive the program's own release
; legacy:     reject
; upstream:   reject
; cleanup:    reject
; cleanup-v2: accept retval=3 releases=0 throws=1
; runtime:    accept retval=3 releases=0 throws=1
; conflicting-slot.s, then a second throw after the program released the resource itself.
; The first throw makes cleanup-v2 give each acquisition its own slot; on the default packet
; (len 64, protocol != 0) the first throw is not taken, the object is dropped by the program,
; and the second throw must release nothing: the dedicated slot's stale pointer would be a
; double free.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

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
	r1 = map[ringbuf] ll
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
		;^ log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
release:
	r1 = *(u64 *)(r10 - 8)
	if r7 == 1 goto discard
	call bpf_obj_drop
	goto again
discard:
	r2 = 0
	call bpf_ringbuf_discard
again:
	r1 = 3
	call bpf_throw			// nothing is held any more
out:
	r0 = 0
	exit
