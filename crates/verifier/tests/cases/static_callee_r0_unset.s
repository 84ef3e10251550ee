; all: reject
// The neighbour of static_callee_exit_r0_not_read.s: the callee leaves R0 unset and the
// caller's exit reads it: check_return_code's check_reg_arg, "R0 !read_ok" at main's exit.

call f
exit	; error: R0 !read_ok
f:
exit
