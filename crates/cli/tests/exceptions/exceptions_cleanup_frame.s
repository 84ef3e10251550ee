; kernel: RFC patch 14 progs/exceptions_cleanup.c exceptions_cleanup_frame (run: retval 0xeB9F, no resource left)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=60319 releases=4 throws=1
; cleanup-v2: accept retval=60319 releases=4 throws=1
; runtime:    accept retval=60319 releases=4 throws=1
; Four frames: main holds an object, a static subprog a second object (the RFC uses a
; ringbuf dynptr, which Unwind does not model), a global subprog a ringbuf record, and the
; global subprog it calls reserves one more record and throws. Each frame's resource is
; released at its own call site's descriptor.
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096
.globl global_subprog(ctx)
.globl global_subprog_throw(ctx)

	r7 = r1
	r1 = 8
	call bpf_obj_new
	if r0 == 0 goto fail
	r6 = r0
	r1 = r7
	call static_subprog
	r1 = r6
	call bpf_obj_drop
	r0 = 0
	exit
fail:
	r0 = 1
	exit

static_subprog:
	r7 = r1
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 8) = r0
	if r0 == 0 goto s_end

	r1 = r7
	call global_subprog	; log(upstream): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
s_end:
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto s_out
	call bpf_obj_drop
s_out:
	r0 = 0
	exit

global_subprog:
	r7 = r1
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto g_out
	r6 = r0

	r1 = r7
	call global_subprog_throw
	r1 = r6
	r2 = 0
	call bpf_ringbuf_discard
g_out:
	r0 = 0
	exit

global_subprog_throw:
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r6 = r0
	r1 = 0xeb9f
	call bpf_throw	; error(legacy): Unreleased reference
	if r6 == 0 goto t_out
	r1 = r6
	r2 = 0
	call bpf_ringbuf_discard
t_out:
	r0 = 0
	exit
