; kernel: progs/exceptions_fail.c reject_with_lock (__failure __msg("function calls are not allowed while holding a lock"))
; all: reject
; bpf_spin_lock(&lock); bpf_throw(0); (the kernel refuses the call itself while the lock is
; held; the lock lives in a map value here instead of a global's private section).
.ctx tc
.map locks array key=4 value=8 max_entries=1

	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[locks] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	call bpf_spin_lock
	r1 = 0
	call bpf_throw	; error: function calls are not allowed while holding a lock
out:
	r0 = 0
	exit
