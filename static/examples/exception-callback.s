// A custom exception callback.
//
// `.exception_callback` names a global function taking the cookie; its R0 becomes the
// program's return value. Short packets throw with the packet length as the cookie, so the
// default 64-byte test packet returns 64 + 100 = 164.
.ctx tc
.globl on_exception(scalar)
.exception_callback on_exception

	r1 = *(u32 *)(r1 + 0)		// skb->len
	if r1 > 1500 goto out
	call bpf_throw			// cookie = skb->len
out:
	r0 = 0
	exit

on_exception:
	r0 = r1
	r0 += 100
	exit
