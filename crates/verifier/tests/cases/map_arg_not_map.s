; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r1 = 0
r2 = r10
r2 += -8
call bpf_map_lookup_elem	; error: R1 type=scalar expected=map_ptr
r0 = 0
exit
