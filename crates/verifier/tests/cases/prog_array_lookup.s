; all: reject
// check_map_func_compatibility: a prog array goes to bpf_tail_call only
// (verifier_prevent_map_lookup.c map_lookup_in_prog_array:
// "cannot pass map_type 3 into func bpf_map_lookup_elem#1").
.ctx socket
.map pa prog_array key=4 value=4 max_entries=8
	r1 = 0
	*(u64 *)(r10 - 8) = r1
	r2 = r10
	r2 += -8
	r1 = map[pa] ll
	call bpf_map_lookup_elem	; error: cannot pass map_type 3 into func bpf_map_lookup_elem#1
	exit
