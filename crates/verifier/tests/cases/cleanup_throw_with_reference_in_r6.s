; cleanup: accept
; log-level: 2
; log: frame_desc: frame0: Registers:
; log: frame_desc: frame0: insn_idx=5 regno=6 size=8 ref_obj_id=1 type=ptr_obj
; log: frame_desc: find_and_merge: cannot find frame descriptor for pc=5, creating new entry
// The RFC (cleanup): a reference held in a callee-saved register at the throw is covered by the
// frame descriptor for that pc and released by the unwinder (exceptions_cleanup.c _reg).
.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r6 = r0
r1 = 1
call bpf_throw
r1 = r6
call bpf_obj_drop
out:
r0 = 0
exit
