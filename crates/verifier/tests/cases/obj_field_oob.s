; cleanup: reject

.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r6 = r0
r2 = *(u64 *)(r0 + 16)	; error: invalid access to memory, mem_size=16 off=16 size=8
r1 = r6
call bpf_obj_drop
out:
r0 = 0
exit
