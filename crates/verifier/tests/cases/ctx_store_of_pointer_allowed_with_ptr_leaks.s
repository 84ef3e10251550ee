; all: accept
; Kernel rule (check_mem_access, is_pointer_value under allow_ptr_leaks): a privileged
; loader may store a pointer into a writable ctx field.

.ctx socket

*(u64 *)(r1 + 48) = r10
r0 = 0
exit
