; all: accept
// A global function with a legacy packet load, called while the caller holds a reference.
// An out-of-bounds load returns 0 from the *current* function (the kernel's bpf_gen_ld_abs
// ends with an exit), here g, so the caller goes on and releases its cgroup: nothing leaks
// and the kernel accepts it (Linux 6.18.44, `unwind verify --mode upstream --compare-kernel`).
.ctx tc
.globl g(ctx)
r6 = r1
r1 = 1
call bpf_cgroup_from_id
r7 = r0
r1 = r6
call g
r1 = r7
if r1 == 0 goto out
call bpf_cgroup_release
out:
r0 = 0
exit
g:
r6 = r1
r0 = *(u8 *)skb[30]
r0 = 0
exit
