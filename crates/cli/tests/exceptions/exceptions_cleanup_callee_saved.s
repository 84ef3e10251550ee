; kernel: RFC patch 14 progs/exceptions_cleanup.c exceptions_cleanup_callee_saved (run: retval 0xeB9F, no resource left)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=60319 releases=4 throws=1
; cleanup-v2: accept retval=60319 releases=4 throws=1
; runtime:    accept retval=60319 releases=4 throws=1
; Four ringbuf records in R6-R9, a call to a static subprog taking them as arguments, then
; the throw (through the trampoline, which spills R6-R9).
.ctx tc
.map ringbuf ringbuf key=0 value=0 max_entries=4096

	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r6 = r0
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r7 = r0
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r8 = r0
	r1 = map[ringbuf] ll
	r2 = 8
	r3 = 0
	call bpf_ringbuf_reserve
	r9 = r0
	r1 = r6
	r2 = r7
	r3 = r8
	r4 = r9
	call mark_resource_subprog
	r1 = 0xeb9f
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
	r0 = 0
	exit

mark_resource_subprog:
	r0 = 0
	exit
