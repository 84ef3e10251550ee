; cleanup: reject


r1 = r10
r1 += r10	; error: R1 pointer += pointer prohibited
r0 = 0
exit
