// expect: reject
// expect-msg: R1 pointer arithmetic on map_ptr prohibited

.map m hash key=8 value=16 max_entries=4

r1 = map[m] ll
r1 += 8
r0 = 0
exit
