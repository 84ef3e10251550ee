; cleanup: reject
// Without BTF a timer must at least be 16 8-byte-aligned bytes of the map value.
.ctx tc
.map hmap hash key=4 value=24 max_entries=1
	*(u32 *)(r10 - 4) = 0
	r1 = map[hmap] ll
	r2 = r10
	r2 += -4
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = r0
	r1 += 16
	r2 = timer_cb
	call bpf_timer_set_callback	; error: off 16 doesn't point to 'struct bpf_timer' (16 8-byte-aligned bytes of the 24-byte value)
out:
	r0 = 0
	exit
timer_cb:
	r0 = 0
	exit
