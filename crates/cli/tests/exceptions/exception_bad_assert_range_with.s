; kernel: progs/exceptions.c exception_bad_assert_range_with (retval 10)
; all: accept retval=10 throws=1
; u64 time = bpf_ktime_get_ns(); bpf_assert_range_with(time, -1000, 1000, 10); return 1;
; The u64 comparisons __bpf_assert_op emits: if time >= BEG goto +2; throw; if time <= END goto +2; throw.
.ctx tc

	call bpf_ktime_get_ns
	r2 = -1000 ll
	if r0 >= r2 goto lo_ok
	r1 = 10
	call bpf_throw
lo_ok:
	r2 = 1000 ll
	if r0 <= r2 goto hi_ok
	r1 = 10
	call bpf_throw
hi_ok:
	r0 = 1
	exit
