; cleanup: reject

.ctx tc

r1 = 1
call bpf_cgroup_from_id
r0 = 0
exit	; error: Unreleased reference id=1 alloc_insn=1
