; all: reject
// check_helper_call, BPF_FUNC_tail_call (6.12): "tail_call cannot be used inside
// bpf_rcu_read_lock-ed region" (the target would run with the section held and never end it).
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r6 = r1
	call bpf_rcu_read_lock
	r1 = r6
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call	; error: tail_call cannot be used inside bpf_rcu_read_lock-ed region
	call bpf_rcu_read_unlock
	r0 = 0
	exit
