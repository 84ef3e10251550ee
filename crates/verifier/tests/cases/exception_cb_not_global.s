; cleanup: reject
// The callback must be global (bpf_find_exception_callback_insn_off).
.ctx tc
.exception_callback cb
r1 = 1
call bpf_throw
r0 = 0
exit
cb:
r0 = r1	; error: exception callback 'cb' must have global linkage
exit
