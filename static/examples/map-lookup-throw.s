// Count packets in a hash map; throw an exception
// when the lookup finds nothing. Edit it: bytecode and
// disassembly follow as you type. Try a typo such as
// "r11 = 0" and click the diagnostic.

.ctx tc
.map counters hash key=4 value=8 max_entries=16
.globl on_exception(scalar)
.exception_callback on_exception

    r6 = r1                     // keep the context
    r1 = 0
    *(u32 *)(r10 - 4) = r1      // key = 0, on the stack
    r2 = r10
    r2 += -4                    // r2 = &key
    r1 = map[counters] ll
    call bpf_map_lookup_elem
    if r0 == 0 goto missing     // NULL: no entry
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1 // count the packet
    r0 = 0
    exit
missing:
    r1 = 42                     // the cookie
    call bpf_throw              // never returns...
    exit                        // ...but a function must end in exit or a jump (kernel rule)

// Runs after the stack is unwound; gets the cookie.
on_exception:
    r0 = r1
    exit
