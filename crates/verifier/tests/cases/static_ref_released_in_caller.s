; cleanup: accept

.ctx tc

call f
if r0 == 0 goto out
r1 = r0
call bpf_obj_drop
out:
r0 = 0
exit
f:
r1 = 8
call bpf_obj_new
exit
