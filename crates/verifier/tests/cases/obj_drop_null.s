; cleanup: reject

.ctx tc

r1 = 16
call bpf_obj_new
r1 = r0
call bpf_obj_drop	; error: Possibly NULL pointer passed to trusted arg0
r0 = 0
exit
