// Runtime tracking versus frame descriptors.
//
// Ten objects are allocated and dropped in a loop, and the throw at the end is not taken for
// the default packet. With `cleanup` the run executes exactly the program's instructions;
// with `runtime` every acquire and release also updates a run-time table, work that is paid
// even though nothing throws.
.ctx tc

	r6 = r1
	r7 = 0
loop:
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto next
	r1 = r0
	call bpf_obj_drop
next:
	r7 += 1
	if r7 < 10 goto loop
	r2 = *(u32 *)(r6 + 0)		// skb->len
	if r2 != 0 goto out
	r1 = 9
	call bpf_throw
out:
	r0 = 0
	exit
