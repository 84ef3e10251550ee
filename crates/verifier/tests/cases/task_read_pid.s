; cleanup: accept

.ctx tc

r1 = 1
call bpf_task_from_pid
if r0 == 0 goto out
r6 = r0
r7 = *(u32 *)(r6 + 12)
r1 = r6
call bpf_task_release
out:
r0 = 0
exit
