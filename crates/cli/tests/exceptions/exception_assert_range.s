; kernel: progs/exceptions.c exception_assert_range (retval 1)
; all: accept retval=1 throws=0
; u64 time = bpf_ktime_get_ns(); bpf_assert_range(time, 0, ~0ULL); return 1;
; The u64 comparisons __bpf_assert_op emits: if time >= BEG goto +2; throw; if time <= END goto +2; throw.
.ctx tc

	call bpf_ktime_get_ns
	r2 = 0 ll
	if r0 >= r2 goto lo_ok
	r1 = 0
	call bpf_throw
lo_ok:
	r2 = 0xffffffffffffffff ll
	if r0 <= r2 goto hi_ok
	r1 = 0
	call bpf_throw
hi_ok:
	r0 = 1
	exit
