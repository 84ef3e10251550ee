; cleanup: accept
// A global function declared void: its R0 is not a result, so leaving it unset is fine
// (BTF's void return; an int-returning one must set a scalar).
.ctx tc
.globl log_nothing(scalar) void
	r1 = 1
	call log_nothing
	r0 = 0
	exit
log_nothing:
	exit
