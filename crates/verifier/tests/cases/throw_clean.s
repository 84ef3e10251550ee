; cleanup: accept

.ctx tc

r1 = 1
call bpf_throw
r0 = 0
exit
