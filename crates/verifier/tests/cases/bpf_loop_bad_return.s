; cleanup: reject


r1 = 10
r2 = cb
r3 = 0
r4 = 0
call bpf_loop
exit
cb:
r0 = 2
exit	; error: At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
