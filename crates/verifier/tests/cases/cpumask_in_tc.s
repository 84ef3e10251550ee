; cleanup: reject

.ctx tc

call bpf_cpumask_create	; error: calling kernel function bpf_cpumask_create is not allowed
r0 = 0
exit
