// expect: reject
// expect-msg: calling kernel function bpf_cpumask_create is not allowed

.ctx tc

call bpf_cpumask_create
r0 = 0
exit
