; cleanup: reject


r1 = r10
r1 += -8
r2 = -1
call bpf_trace_printk	; error: R2 min value is negative
r0 = 0
exit
