// Benchmark programs, `include!`d by crates/vm/benches/interp.rs, crates/verifier/benches/
// verify.rs and crates/session/benches/wasm_vs_native.rs, so that every comparison runs the
// same text.

#[allow(dead_code)]
const ALU: &str = "
    r0 = 0
    r1 = 1000000
loop:
    r2 = r1
    r2 *= 7
    r0 += r2
    r0 ^= 0x5555
    r3 = r0
    r3 >>= 3
    r0 -= r3
    w4 = w0
    w4 += 12345
    r0 |= r4
    r0 &= 0xffffff
    r1 -= 1
    if r1 != 0 goto loop
    exit";

#[allow(dead_code)]
const MEMORY: &str = "
    r0 = 0
    r1 = 1000000
    r5 = r10
    r5 += -64
loop:
    *(u64 *)(r10 - 8) = r1
    *(u32 *)(r10 - 16) = r0
    r2 = *(u64 *)(r10 - 8)
    r3 = *(u32 *)(r10 - 16)
    *(u8 *)(r5 + 3) = r2
    r4 = *(u8 *)(r5 + 3)
    *(u16 *)(r10 - 20) = r4
    r4 = *(u16 *)(r10 - 20)
    r0 = r3
    r0 += r4
    r1 -= 1
    if r1 != 0 goto loop
    exit";

/// Packet loads: a byte at a varying offset and two header fields of the 64-byte packet R1
/// points to (direct loads, as a raw program sees its input memory).
#[allow(dead_code)]
const PACKET: &str = "
    r0 = 0
    r6 = 1000000
loop:
    r2 = r6
    r2 &= 63
    r3 = r1
    r3 += r2
    r4 = *(u8 *)(r3 + 0)
    r0 += r4
    r5 = *(u16 *)(r1 + 12)
    r0 += r5
    r5 = *(u32 *)(r1 + 26)
    r0 ^= r5
    r6 -= 1
    if r6 != 0 goto loop
    exit";

#[allow(dead_code)]
const CALLS: &str = "
    r0 = 0
    r6 = 1000000
loop:
    r1 = r6
    call 5
    r0 += 1
    r6 -= 1
    if r6 != 0 goto loop
    exit";

#[allow(dead_code)]
const LOCAL_CALLS: &str = "
    r0 = 0
    r6 = 1000000
loop:
    r1 = r6
    call f
    r6 -= 1
    if r6 != 0 goto loop
    exit
f:
    r0 = r1
    r0 += 1
    exit";

/// The verifier's loop, rejected at the 1,000,000-instruction limit.
#[allow(dead_code)]
const LOOP_TO_LIMIT: &str = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";

/// 4,096 slots of arithmetic, stack spills and fills, and branches on a ctx input that fork
/// and rejoin (so states are stored and pruning works).
#[allow(dead_code)]
fn verifier_4096_source() -> String {
    use std::fmt::Write as _;
    let mut s = String::from(".ctx tc\nr6 = *(u32 *)(r1 + 0)\nr7 = 0\nr8 = 0\n");
    let mut n = 3;
    let mut k = 0;
    while n < 4096 - 2 - 9 {
        // 9 instructions a block
        k += 1;
        let off = 8 * (k % 8 + 1);
        writeln!(
            s,
            "r1 = r6\nr1 &= {m}\nif r1 > {h} goto b{k}\nr7 += r1\nb{k}:\nr8 ^= {k}\n*(u64 *)(r10 - {off}) = r8\nr2 = *(u64 *)(r10 - {off})\nr7 += 3\nr2 >>= 1",
            m = k % 15 + 1,
            h = k % 7
        )
        .unwrap();
        n += 9;
    }
    while n < 4096 - 2 {
        s.push_str("r7 += 1\n");
        n += 1;
    }
    s.push_str("r0 = 0\nexit\n");
    s
}
