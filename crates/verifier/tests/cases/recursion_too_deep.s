; cleanup: reject


call f
r0 = 0
exit
f:
call f	; error: the call stack of 9 frames is too deep
r0 = 0
exit
