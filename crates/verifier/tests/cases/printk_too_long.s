; cleanup: reject


r1 = r10
r1 += -8
r2 = 16
call bpf_trace_printk	; error: invalid indirect access to stack R1 off=-8 size=16
r0 = 0
exit
