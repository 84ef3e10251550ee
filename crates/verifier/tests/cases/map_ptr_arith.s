; cleanup: reject

.map m hash key=8 value=16 max_entries=4

r1 = map[m] ll
r1 += 8	; error: R1 pointer arithmetic on map_ptr prohibited
r0 = 0
exit
