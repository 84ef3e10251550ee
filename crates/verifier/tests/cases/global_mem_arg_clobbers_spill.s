; cleanup: reject
// A global function given a pointer to the stack may write there (check_mem_reg checks the
// memory for reads and writes): the spilled object in fp-8 is clobbered, so what is filled
// back is a scalar, not the object (found by the unwinding soundness property).
.ctx tc
.globl clobber(mem:8)
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r1 = r10
	r1 += -8
	call clobber
	r1 = *(u64 *)(r10 - 8)
	call bpf_obj_drop	; error: R1 type=scalar expected=ptr_
out:
	r0 = 0
	exit
clobber:
	r0 = 0
	*(u64 *)(r1 + 0) = r0
	exit
