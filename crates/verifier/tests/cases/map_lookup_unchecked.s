; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
r1 = *(u64 *)(r0 + 0)	; error: R0 invalid mem access 'map_value_or_null'
r0 = 0
exit
