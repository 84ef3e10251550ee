; kernel: progs/exceptions_fail.c reject_async_callback_throw (__failure __msg("cannot be called from callback subprog"))
; all: reject
; A timer callback throws: it runs later, in its own context (an async callback verified as a
; call chain of its own), with no program frame to unwind into.
.ctx tc
.map hmap hash key=4 value=24 max_entries=1

	*(u32 *)(r10 - 4) = 0
	r1 = map[hmap] ll
	r2 = r10
	r2 += -4
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	r1 += 8				// elem->timer
	r2 = timer_cb
	call bpf_timer_set_callback
	r0 = 0
	exit
out:
	r0 = 0
	exit

timer_cb:
	r1 = 0
	call bpf_throw	; error: bpf_throw kfunc (insn 17) cannot be called from callback subprog 1
	r0 = 0
	exit
