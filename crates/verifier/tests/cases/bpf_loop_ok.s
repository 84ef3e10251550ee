; cleanup: accept


r1 = 10
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
exit
cb:
r0 = 0
exit
