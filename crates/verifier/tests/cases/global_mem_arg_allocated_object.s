; all: accept
// An allocated object (bpf_obj_new's, PTR_TO_BTF_ID | MEM_ALLOC) as a global function's
// memory argument: check_func_arg_reg_off lets a PTR_TO_BTF_ID keep a fixed offset
// (fixed_off_ok), and its 8 bytes at offset 8 lie within the 16-byte object.

.ctx tc
.globl g(mem:8)
r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r6 = r0
r1 = r0
r1 += 8
call g
r1 = r6
call bpf_obj_drop
out:
r0 = 0
exit
g:
r0 = 0
exit
