; cleanup: reject


r1 = r10
r1 += -8
r2 = 0
call bpf_trace_printk	; error: R2 invalid zero-sized read: u64=[0,0]
r0 = 0
exit
