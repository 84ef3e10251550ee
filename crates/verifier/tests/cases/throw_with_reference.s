; legacy: reject

.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r6 = r0
r1 = 1
call bpf_throw	; error: Unreleased reference id=1 alloc_insn=1
r1 = r6
call bpf_obj_drop
out:
r0 = 0
exit
