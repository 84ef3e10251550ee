; all: reject
// A callback's exit is prepare_func_exit's in_callback_fn branch: R0 must be a scalar (an
// unset R0 is not one): "R0 not a scalar value".

r1 = 3
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
exit	; error: R0 not a scalar value
