; cleanup: accept

.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r1 = r0
call bpf_obj_drop
out:
r0 = 0
exit
