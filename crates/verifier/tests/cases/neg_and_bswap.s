; cleanup: accept


r0 = 5
r0 = -r0
r0 = be16 r0
r0 = bswap64 r0
exit
