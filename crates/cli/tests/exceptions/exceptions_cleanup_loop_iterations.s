; kernel: RFC patch 14 progs/exceptions_cleanup.c exceptions_cleanup_loop_iterations (__success; run: retval 0xeB9F, no resource left)
; legacy:     reject
; upstream:   reject
; cleanup:    accept retval=60319 releases=50 throws=1
; cleanup-v2: accept retval=60319 releases=50 throws=1
; runtime:    accept retval=60319 releases=50 throws=1
; f[50] = {}; for (i = 0; i < 50; i++) { f[i] = bpf_obj_new(); if (!f[i]) goto end; if (i == 49)
; bpf_throw(VAL); } end: drop every non-NULL f[i]. The loop is unrolled (a pointer cannot be
; spilled at a variable stack offset), so the array is 50 slots, fp-8 to fp-400.
.ctx tc

	r1 = 0
	*(u64 *)(r10 - 8) = r1
	*(u64 *)(r10 - 16) = r1
	*(u64 *)(r10 - 24) = r1
	*(u64 *)(r10 - 32) = r1
	*(u64 *)(r10 - 40) = r1
	*(u64 *)(r10 - 48) = r1
	*(u64 *)(r10 - 56) = r1
	*(u64 *)(r10 - 64) = r1
	*(u64 *)(r10 - 72) = r1
	*(u64 *)(r10 - 80) = r1
	*(u64 *)(r10 - 88) = r1
	*(u64 *)(r10 - 96) = r1
	*(u64 *)(r10 - 104) = r1
	*(u64 *)(r10 - 112) = r1
	*(u64 *)(r10 - 120) = r1
	*(u64 *)(r10 - 128) = r1
	*(u64 *)(r10 - 136) = r1
	*(u64 *)(r10 - 144) = r1
	*(u64 *)(r10 - 152) = r1
	*(u64 *)(r10 - 160) = r1
	*(u64 *)(r10 - 168) = r1
	*(u64 *)(r10 - 176) = r1
	*(u64 *)(r10 - 184) = r1
	*(u64 *)(r10 - 192) = r1
	*(u64 *)(r10 - 200) = r1
	*(u64 *)(r10 - 208) = r1
	*(u64 *)(r10 - 216) = r1
	*(u64 *)(r10 - 224) = r1
	*(u64 *)(r10 - 232) = r1
	*(u64 *)(r10 - 240) = r1
	*(u64 *)(r10 - 248) = r1
	*(u64 *)(r10 - 256) = r1
	*(u64 *)(r10 - 264) = r1
	*(u64 *)(r10 - 272) = r1
	*(u64 *)(r10 - 280) = r1
	*(u64 *)(r10 - 288) = r1
	*(u64 *)(r10 - 296) = r1
	*(u64 *)(r10 - 304) = r1
	*(u64 *)(r10 - 312) = r1
	*(u64 *)(r10 - 320) = r1
	*(u64 *)(r10 - 328) = r1
	*(u64 *)(r10 - 336) = r1
	*(u64 *)(r10 - 344) = r1
	*(u64 *)(r10 - 352) = r1
	*(u64 *)(r10 - 360) = r1
	*(u64 *)(r10 - 368) = r1
	*(u64 *)(r10 - 376) = r1
	*(u64 *)(r10 - 384) = r1
	*(u64 *)(r10 - 392) = r1
	*(u64 *)(r10 - 400) = r1
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 8) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 16) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 24) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 32) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 40) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 48) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 56) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 64) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 72) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 80) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 88) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 96) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 104) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 112) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 120) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 128) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 136) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 144) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 152) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 160) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 168) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 176) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 184) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 192) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 200) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 208) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 216) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 224) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 232) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 240) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 248) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 256) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 264) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 272) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 280) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 288) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 296) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 304) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 312) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 320) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 328) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 336) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 344) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 352) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 360) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 368) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 376) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 384) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 392) = r0
	if r0 == 0 goto end
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 400) = r0
	if r0 == 0 goto end
	r1 = 0xeb9f
	call bpf_throw	; log(upstream): Unreleased reference
		;^ error(legacy): Unreleased reference
		;^ error(upstream): bpf_throw would lead to reference leak
end:
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto d0
	call bpf_obj_drop
d0:
	r1 = *(u64 *)(r10 - 16)
	if r1 == 0 goto d1
	call bpf_obj_drop
d1:
	r1 = *(u64 *)(r10 - 24)
	if r1 == 0 goto d2
	call bpf_obj_drop
d2:
	r1 = *(u64 *)(r10 - 32)
	if r1 == 0 goto d3
	call bpf_obj_drop
d3:
	r1 = *(u64 *)(r10 - 40)
	if r1 == 0 goto d4
	call bpf_obj_drop
d4:
	r1 = *(u64 *)(r10 - 48)
	if r1 == 0 goto d5
	call bpf_obj_drop
d5:
	r1 = *(u64 *)(r10 - 56)
	if r1 == 0 goto d6
	call bpf_obj_drop
d6:
	r1 = *(u64 *)(r10 - 64)
	if r1 == 0 goto d7
	call bpf_obj_drop
d7:
	r1 = *(u64 *)(r10 - 72)
	if r1 == 0 goto d8
	call bpf_obj_drop
d8:
	r1 = *(u64 *)(r10 - 80)
	if r1 == 0 goto d9
	call bpf_obj_drop
d9:
	r1 = *(u64 *)(r10 - 88)
	if r1 == 0 goto d10
	call bpf_obj_drop
d10:
	r1 = *(u64 *)(r10 - 96)
	if r1 == 0 goto d11
	call bpf_obj_drop
d11:
	r1 = *(u64 *)(r10 - 104)
	if r1 == 0 goto d12
	call bpf_obj_drop
d12:
	r1 = *(u64 *)(r10 - 112)
	if r1 == 0 goto d13
	call bpf_obj_drop
d13:
	r1 = *(u64 *)(r10 - 120)
	if r1 == 0 goto d14
	call bpf_obj_drop
d14:
	r1 = *(u64 *)(r10 - 128)
	if r1 == 0 goto d15
	call bpf_obj_drop
d15:
	r1 = *(u64 *)(r10 - 136)
	if r1 == 0 goto d16
	call bpf_obj_drop
d16:
	r1 = *(u64 *)(r10 - 144)
	if r1 == 0 goto d17
	call bpf_obj_drop
d17:
	r1 = *(u64 *)(r10 - 152)
	if r1 == 0 goto d18
	call bpf_obj_drop
d18:
	r1 = *(u64 *)(r10 - 160)
	if r1 == 0 goto d19
	call bpf_obj_drop
d19:
	r1 = *(u64 *)(r10 - 168)
	if r1 == 0 goto d20
	call bpf_obj_drop
d20:
	r1 = *(u64 *)(r10 - 176)
	if r1 == 0 goto d21
	call bpf_obj_drop
d21:
	r1 = *(u64 *)(r10 - 184)
	if r1 == 0 goto d22
	call bpf_obj_drop
d22:
	r1 = *(u64 *)(r10 - 192)
	if r1 == 0 goto d23
	call bpf_obj_drop
d23:
	r1 = *(u64 *)(r10 - 200)
	if r1 == 0 goto d24
	call bpf_obj_drop
d24:
	r1 = *(u64 *)(r10 - 208)
	if r1 == 0 goto d25
	call bpf_obj_drop
d25:
	r1 = *(u64 *)(r10 - 216)
	if r1 == 0 goto d26
	call bpf_obj_drop
d26:
	r1 = *(u64 *)(r10 - 224)
	if r1 == 0 goto d27
	call bpf_obj_drop
d27:
	r1 = *(u64 *)(r10 - 232)
	if r1 == 0 goto d28
	call bpf_obj_drop
d28:
	r1 = *(u64 *)(r10 - 240)
	if r1 == 0 goto d29
	call bpf_obj_drop
d29:
	r1 = *(u64 *)(r10 - 248)
	if r1 == 0 goto d30
	call bpf_obj_drop
d30:
	r1 = *(u64 *)(r10 - 256)
	if r1 == 0 goto d31
	call bpf_obj_drop
d31:
	r1 = *(u64 *)(r10 - 264)
	if r1 == 0 goto d32
	call bpf_obj_drop
d32:
	r1 = *(u64 *)(r10 - 272)
	if r1 == 0 goto d33
	call bpf_obj_drop
d33:
	r1 = *(u64 *)(r10 - 280)
	if r1 == 0 goto d34
	call bpf_obj_drop
d34:
	r1 = *(u64 *)(r10 - 288)
	if r1 == 0 goto d35
	call bpf_obj_drop
d35:
	r1 = *(u64 *)(r10 - 296)
	if r1 == 0 goto d36
	call bpf_obj_drop
d36:
	r1 = *(u64 *)(r10 - 304)
	if r1 == 0 goto d37
	call bpf_obj_drop
d37:
	r1 = *(u64 *)(r10 - 312)
	if r1 == 0 goto d38
	call bpf_obj_drop
d38:
	r1 = *(u64 *)(r10 - 320)
	if r1 == 0 goto d39
	call bpf_obj_drop
d39:
	r1 = *(u64 *)(r10 - 328)
	if r1 == 0 goto d40
	call bpf_obj_drop
d40:
	r1 = *(u64 *)(r10 - 336)
	if r1 == 0 goto d41
	call bpf_obj_drop
d41:
	r1 = *(u64 *)(r10 - 344)
	if r1 == 0 goto d42
	call bpf_obj_drop
d42:
	r1 = *(u64 *)(r10 - 352)
	if r1 == 0 goto d43
	call bpf_obj_drop
d43:
	r1 = *(u64 *)(r10 - 360)
	if r1 == 0 goto d44
	call bpf_obj_drop
d44:
	r1 = *(u64 *)(r10 - 368)
	if r1 == 0 goto d45
	call bpf_obj_drop
d45:
	r1 = *(u64 *)(r10 - 376)
	if r1 == 0 goto d46
	call bpf_obj_drop
d46:
	r1 = *(u64 *)(r10 - 384)
	if r1 == 0 goto d47
	call bpf_obj_drop
d47:
	r1 = *(u64 *)(r10 - 392)
	if r1 == 0 goto d48
	call bpf_obj_drop
d48:
	r1 = *(u64 *)(r10 - 400)
	if r1 == 0 goto d49
	call bpf_obj_drop
d49:
	r0 = 0
	exit
