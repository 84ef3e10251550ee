; cleanup: reject


r1 = map_idx(3) ll	; error: fd 3 is not pointing to valid bpf_map
r0 = 0
exit
