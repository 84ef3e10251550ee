; all: reject
// check_helper_call, BPF_FUNC_tail_call (6.12): "tail_call cannot be used inside
// bpf_preempt_disable-ed region".
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r6 = r1
	call bpf_preempt_disable
	r1 = r6
	r2 = map[pa] ll
	r3 = 0
	call bpf_tail_call	; error: tail_call cannot be used inside bpf_preempt_disable-ed region
	call bpf_preempt_enable
	r0 = 0
	exit
