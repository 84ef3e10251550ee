; cleanup: reject

.map rb ringbuf key=0 value=0 max_entries=4096

r1 = map[rb] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
out:
r0 = 0
exit	; error: Unreleased reference id=1 alloc_insn=4
