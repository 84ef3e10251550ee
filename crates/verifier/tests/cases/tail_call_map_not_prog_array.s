; all: reject
// check_map_func_compatibility: bpf_tail_call takes a prog array only
// ("cannot pass map_type 2 into func bpf_tail_call#12", 2 = BPF_MAP_TYPE_ARRAY).
.ctx tc
.map a array key=4 value=4 max_entries=4
	r2 = map[a] ll
	r3 = 0
	call bpf_tail_call	; error: cannot pass map_type 2 into func bpf_tail_call#12
	r0 = 0
	exit
