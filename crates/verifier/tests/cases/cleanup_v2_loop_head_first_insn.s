; legacy, upstream, cleanup: reject
; cleanup-v2, runtime: accept
// cleanup-v2 zeroes each dedicated slot once per call of its function. Inserted before the
// function's first instruction, the zeroing is where jumps to that instruction land (as the
// kernel's bpf_patch_insn_data retargets them), so a loop whose head is f's first
// instruction zeroed the slot on every iteration: at the second throw the record acquired
// in the first iteration was still held but its slot said NULL, and the merge failed again
// ("frame_desc: merge: failed to merge old and new frame desc entry"). The zeroing is now a
// prologue that calls reach and the back-edge does not.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096
	r1 = 0
	r2 = 0
	call f
	r0 = 0
	exit
f:
	if r1 > 0 goto second		// the loop's head is f's first instruction
	r6 = r1
	call bpf_get_prandom_u32
	if r0 > 100 goto record
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto done
	*(u64 *)(r10 - 8) = r0
	r7 = 0
	goto check
record:
	r1 = map[ringbuf] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto done
	*(u64 *)(r10 - 8) = r0
	r7 = 1
check:
	call bpf_get_prandom_u32
	if r0 != 0 goto again
	r1 = 2				// fp-8: an object on one path, a record on the other
	call bpf_throw
		;^ error(legacy): Unreleased reference id=1 alloc_insn=10
		;^ error(upstream): bpf_throw would lead to reference leak
		;^ error(cleanup): frame_desc: merge: failed to merge old and new frame desc entry
again:
	r1 = 1
	r2 = r7
	goto f				// back to the head, the resource still held
second:
	r1 = 3
	call bpf_throw			// still held: only its dedicated slot says which it is
done:
	r0 = 0
	exit
