; cleanup: accept


r0 = 0x1122334455667788 ll
r0 = 0
exit
