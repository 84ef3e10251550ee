; cleanup: reject

.ctx tc

r1 = 16
call bpf_obj_new
r6 = r0
r1 = 8
call bpf_obj_new
if r6 == 0 goto a
r1 = r6
call bpf_obj_drop
a:
r0 = 0
exit	; error: Unreleased reference id=2 alloc_insn=4
