; cleanup: reject
// An acquisition in a loop that never releases: refused once a path holds 256 references
// (not a kernel limit: without it every state and log line grows until the 1M-instruction
// limit, minutes and gigabytes later; found by review).
.ctx tc
loop:
	r1 = 16
	call bpf_obj_new	; error: more than 256 references held at once (the bpf_obj_new at insn 1 is one too many)
	goto loop
