; all: accept
// bpf_tail_call returns only when the slot is empty (or the index out of range): the program
// goes on, with R0 not initialised (RET_VOID), R1-R5 clobbered.
.ctx tc
.map pa prog_array key=4 value=4 max_entries=4
	r2 = map[pa] ll
	r3 = 3
	call bpf_tail_call
	r0 = 7
	exit
