; cleanup: reject
// The simulated kernel's task is 16 bytes (pid, tgid); the soundness property test found
// that reads past it were accepted and then faulted in the interpreter.

.ctx tc

r1 = 1
call bpf_task_from_pid
if r0 == 0 goto out
r6 = r0
r0 = *(u32 *)(r6 + 16)	; error: access beyond struct trusted_ptr_task_struct at off 16 size 4
r1 = r6
call bpf_task_release
out:
r0 = 0
exit
