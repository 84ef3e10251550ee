; cleanup: reject
// A per-CPU object is reached through bpf_this_cpu_ptr, never dereferenced directly
// (check_ptr_to_btf_access on a MEM_PERCPU pointer).
.ctx tc
	r1 = 16
	call bpf_percpu_obj_new
	if r0 == 0 goto out
	r2 = *(u64 *)(r0 + 0)	; error: R0 is ptr_obj access percpu memory: off=0
	r1 = r0
	call bpf_percpu_obj_drop
out:
	r0 = 0
	exit
