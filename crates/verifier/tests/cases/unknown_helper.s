; cleanup: reject


call 999	; error: invalid func unknown#999
r0 = 0
exit
