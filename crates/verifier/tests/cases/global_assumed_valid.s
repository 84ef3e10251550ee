; all: accept
; log(upstream, cleanup, cleanup-v2, runtime): Func#1 ('g') is global and assumed valid.
; log(upstream, cleanup, cleanup-v2, runtime): Func#1 ('g') is safe for any args that match its prototype
; log(legacy): Func#1 is global and valid. Skipping.
; log(legacy): Func#1 is safe for any args that match its prototype
// check_func_call's line for a call to a global function, and do_check_subprogs' once the
// function is verified; v6.8 ("bpf: emit global subprog name in verifier logs") named the
// function: v6.7 (legacy) said "Func#1 is global and valid. Skipping.".

.globl g(scalar)

r1 = 1
call g
exit
g:
r0 = r1
exit
