; cleanup: accept


r0 = 0
goto l
l:
exit
