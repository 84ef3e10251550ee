; all: accept
; Kernel rule (tc_cls_act_is_valid_access): tc reads tstamp_type as one byte; the
; time fields are whole 8-byte accesses, tstamp writable, hwtstamp read-only.

.ctx tc

r0 = *(u8 *)(r1 + 180)
r2 = *(u64 *)(r1 + 152)
*(u64 *)(r1 + 152) = r2
r2 = *(u64 *)(r1 + 184)
r0 = 0
exit
