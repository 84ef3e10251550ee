# The uBPF/rbpf syntax of the BPF conformance suite: a bpf-to-bpf call.
# r1-r5 carry the arguments, r0 the result; r6-r9 survive the call.
mov %r1, 1
mov %r2, 2
mov %r3, 3
mov %r6, 6
call local sum
jne %r0, 6, failed
jne %r6, 6, failed
mov %r0, 1
exit
failed:
mov %r0, -1
exit

# sum(r1, r2, r3) = r1 + r2 + r3. It overwrites r6, yet the caller still sees 6:
# r6-r9 are callee-saved.
sum:
mov %r0, %r1
add %r0, %r2
add %r0, %r3
mov %r6, 0
exit
