; cleanup: accept

.ctx tracing

call bpf_cpumask_create
if r0 == 0 goto out
r1 = r0
call bpf_cpumask_release
out:
r0 = 0
exit
