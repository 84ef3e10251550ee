; all: reject
// check_alu_op: BPF_ADDR_SPACE_CAST converts between an arena's kernel and user addresses, so
// a program without an arena map may not use it ("addr_space_cast insn can only be used in a
// program that has an associated arena"). Found by the `verify` fuzz target: it was accepted
// and the interpreter, which models no arena, faulted.
	r1 = 0
	r0 = addr_space_cast(r1, 0, 1)	; error: addr_space_cast insn can only be used in a program that has an associated arena
	r0 = 0
	exit
