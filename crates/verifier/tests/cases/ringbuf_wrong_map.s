; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r1 = map[m] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve	; error: cannot pass map_type 1 into func bpf_ringbuf_reserve#131
r0 = 0
exit
