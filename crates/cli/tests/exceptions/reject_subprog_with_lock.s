; kernel: progs/exceptions_fail.c reject_subprog_with_lock (__failure __msg("function calls are not allowed while holding a lock"))
; all: reject
; A static subprog takes the lock, then throws if ctx->len.
.ctx tc
.map locks array key=4 value=8 max_entries=1

	call subprog_lock
	exit

subprog_lock:
	r6 = r1
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = map[locks] ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	call bpf_spin_lock
	r2 = *(u32 *)(r6 + 0)		// ctx->len
	if r2 == 0 goto out
	r1 = 0
	call bpf_throw	; error: function calls are not allowed while holding a lock
out:
	r0 = 0
	exit
