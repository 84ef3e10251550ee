; cleanup: reject

.map rb ringbuf key=0 value=0 max_entries=4096

call bpf_get_prandom_u32
r2 = r0
r1 = map[rb] ll
r3 = 0
call bpf_ringbuf_reserve	; error: R2 is not a known constant'
r0 = 0
exit
