// expect: reject
// expect-msg: Possibly NULL pointer passed to trusted arg0

.ctx tc

r1 = 16
call bpf_obj_new
r1 = r0
call bpf_obj_drop
r0 = 0
exit
