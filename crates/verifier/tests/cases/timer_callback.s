; cleanup: accept
// bpf_timer_set_callback: the callback is verified on its own (push_async_cb), with the map,
// the key and the value; it must return 0.
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
	r0 = *(u64 *)(r3 + 0)
	r0 = 0
	exit
