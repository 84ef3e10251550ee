; cleanup: accept


call bpf_get_current_comm
r0 = 0
exit
