; cleanup: reject
// The RFC's reject_with_reference: a reference held only in R0-R5 is lost at the throw (the
// call clobbers them), so no descriptor can cover it.
.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r1 = 1
call bpf_throw	; log: Unreleased reference id=1 alloc_insn=1
	;^ error: bpf_throw would lead to reference leak
out:
r0 = 0
exit
