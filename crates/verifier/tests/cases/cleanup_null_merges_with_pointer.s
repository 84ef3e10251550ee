; cleanup: accept
; log-level: 2
; log: frame_desc: frame0: insn_idx=10 off=-8 size=8 ref_obj_id=1 type=ptr_obj
; log: frame_desc: frame0: insn_idx=10 off=-8 size=8 ref_obj_id=0 type=scalar
; log: frame_desc: merge: no merging needed of new frame desc entry into old
// The RFC's worked example (patch 05): p = NULL; if (x) p = bpf_obj_new(); if (y) throw.
// fp-8 is NULL on one path and the object on the other: the descriptor keeps the object.
.ctx tc

r6 = r1
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = *(u32 *)(r6 + 0)
if r2 < 32 goto check
r1 = 16
call bpf_obj_new
if r0 == 0 goto check
*(u64 *)(r10 - 8) = r0
check:
r1 = 1
call bpf_throw
r1 = *(u64 *)(r10 - 8)
if r1 == 0 goto out
call bpf_obj_drop
out:
r0 = 0
exit
