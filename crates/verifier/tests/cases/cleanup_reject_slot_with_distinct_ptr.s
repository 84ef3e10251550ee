; cleanup: reject
// The RFC's reject_slot_with_distinct_ptr: fp-8 holds an object on one path and a ringbuf
// record on the other when they reach the same throw.
.ctx tc
.map rb ringbuf key=0 value=0 max_entries=4096

r6 = *(u32 *)(r1 + 0)
if r6 > 100 goto record
r1 = 16
call bpf_obj_new
if r0 == 0 goto out
*(u64 *)(r10 - 8) = r0
r7 = 0
goto check
record:
r1 = map[rb] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
*(u64 *)(r10 - 8) = r0
r7 = 1
check:
r1 = 2
call bpf_throw	; error: frame_desc: merge: failed to merge old and new frame desc entry
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
