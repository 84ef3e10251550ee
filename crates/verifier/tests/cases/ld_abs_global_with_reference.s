; cleanup, cleanup-v2, runtime: reject
; legacy, upstream: accept
// A global function is verified without its caller's references; one with a legacy packet
// load (directly or in a callee: has_abnormal_return) may end the program while the caller
// holds one, so the cleanup modes refuse the call. The kernel has no such check: Linux
// 6.18.44 accepts this program (`unwind verify --mode upstream --compare-kernel`), and an
// out-of-bounds load in g leaks the cgroup, so `legacy` and `upstream` accept it as the
// kernel does (a hole like the global-function throw loophole).
.ctx tc
.globl g(ctx)
r6 = r1
r1 = 1
call bpf_cgroup_from_id
r7 = r0
r1 = r6
call g	; error: BPF_LD_[ABS|IND] in global function g cannot be mixed with socket references
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
