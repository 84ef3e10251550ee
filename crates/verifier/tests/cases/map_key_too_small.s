; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r2 = r10
r2 += -4
r1 = map[m] ll
call bpf_map_lookup_elem	; error: invalid indirect access to stack R2 off=-4 size=8
r0 = 0
exit
