// expect: reject
// expect-msg: fd 3 is not pointing to valid bpf_map


r1 = map_idx(3) ll
r0 = 0
exit
