; cleanup: accept
// bpf_percpu_obj_new and bpf_percpu_obj_drop pair like bpf_obj_new and bpf_obj_drop.
.ctx tc
	r1 = 16
	call bpf_percpu_obj_new
	if r0 == 0 goto out
	r1 = r0
	call bpf_percpu_obj_drop
out:
	r0 = 0
	exit
