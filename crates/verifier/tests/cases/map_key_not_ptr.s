; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r2 = 0
r1 = map[m] ll
call bpf_map_lookup_elem	; error: R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value
r0 = 0
exit
