; cleanup: reject
// An async callback returns 0 (check_return_code's "async callback" range).
.ctx tc
.map hmap hash key=4 value=24 max_entries=1
	*(u32 *)(r10 - 4) = 0
	r1 = map[hmap] ll
	r2 = r10
	r2 += -4
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	r1 += 8
	r2 = timer_cb
	call bpf_timer_set_callback
out:
	r0 = 0
	exit
timer_cb:
	r0 = 1
	exit	; error: At async callback the register R0 has smin=1 smax=1 should have been in [0, 0]
