//! Table-driven encoding test over every BPF instruction form: for each row, the text
//! assembles without diagnostics to exactly the bytes LLVM's BPF assembler produces, and the
//! program disassembles (source style) back to the same text.
//!
//! How the bytes were produced (generated, not hand-written): the canonical lines of
//! `LLVM_ROWS` (with `call N` fed to LLVM for rows naming a helper) and the inputs of
//! `LLVM_SPELLING_ROWS` were assembled with
//!
//!     llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding rows.s
//!
//! using LLVM 19.1.7 (Debian `llvm-mc-19`; run with
//! `LD_LIBRARY_PATH` pointing at its `usr/lib/llvm-19/lib` and `x86_64-linux-gnu` library
//! directories). The `# encoding: [...]` bytes LLVM printed are the byte columns below. Every
//! text LLVM printed back was assembled again by LLVM to check that it re-parses to the same
//! bytes. LLVM is not needed to run this test.
//!
//! Where LLVM's own printing differs from our canonical text: `ld_imm64` constants (LLVM
//! prints signed decimal, we print `0x` hex) and helper calls (LLVM prints `call 1`, we print
//! the helper's name).
//!
//! Rows that jump use offsets that leave the one-instruction program (never `-1`, which
//! would target the jump itself), so they are printed as `+N`/`-N`, not as labels.
//!
//! `OWN_ROWS` are NOT checked against LLVM: LLVM 19 does not assemble them (`may_goto`,
//! `gotol` offsets beyond 16 bits). Their bytes were built by hand from the ISA
//! (RFC 9669 and the kernel's `BPF_JCOND`/`gotol` encodings).

use unwind_program::disasm::{disassemble, format_insn, Style};

/// `(canonical text, bytes from llvm-mc-19)`: text is both the input and the expected
/// disassembly.
const LLVM_ROWS: &[(&str, &[u8])] = &[
    ("r0 += 3", b"\x07\x00\x00\x00\x03\x00\x00\x00"),
    ("r0 += r1", b"\x0f\x10\x00\x00\x00\x00\x00\x00"),
    ("r1 -= -7", b"\x17\x01\x00\x00\xf9\xff\xff\xff"),
    ("r1 -= r4", b"\x1f\x41\x00\x00\x00\x00\x00\x00"),
    ("r2 *= 1", b"\x27\x02\x00\x00\x01\x00\x00\x00"),
    ("r2 *= r7", b"\x2f\x72\x00\x00\x00\x00\x00\x00"),
    ("r3 /= 255", b"\x37\x03\x00\x00\xff\x00\x00\x00"),
    ("r3 /= r10", b"\x3f\xa3\x00\x00\x00\x00\x00\x00"),
    ("r4 s/= -1", b"\x37\x04\x01\x00\xff\xff\xff\xff"),
    ("r4 s/= r2", b"\x3f\x24\x01\x00\x00\x00\x00\x00"),
    ("r5 |= 2047", b"\x47\x05\x00\x00\xff\x07\x00\x00"),
    ("r5 |= r5", b"\x4f\x55\x00\x00\x00\x00\x00\x00"),
    ("r6 &= 13", b"\x57\x06\x00\x00\x0d\x00\x00\x00"),
    ("r6 &= r8", b"\x5f\x86\x00\x00\x00\x00\x00\x00"),
    ("r7 <<= 1", b"\x67\x07\x00\x00\x01\x00\x00\x00"),
    ("r7 <<= r0", b"\x6f\x07\x00\x00\x00\x00\x00\x00"),
    ("r8 >>= 63", b"\x77\x08\x00\x00\x3f\x00\x00\x00"),
    ("r8 >>= r3", b"\x7f\x38\x00\x00\x00\x00\x00\x00"),
    ("r9 %= 100", b"\x97\x09\x00\x00\x64\x00\x00\x00"),
    ("r9 %= r6", b"\x9f\x69\x00\x00\x00\x00\x00\x00"),
    ("r0 s%= -100", b"\x97\x00\x01\x00\x9c\xff\xff\xff"),
    ("r0 s%= r9", b"\x9f\x90\x01\x00\x00\x00\x00\x00"),
    ("r1 ^= 85", b"\xa7\x01\x00\x00\x55\x00\x00\x00"),
    ("r1 ^= r1", b"\xaf\x11\x00\x00\x00\x00\x00\x00"),
    ("r2 = 42", b"\xb7\x02\x00\x00\x2a\x00\x00\x00"),
    ("r2 = r4", b"\xbf\x42\x00\x00\x00\x00\x00\x00"),
    ("r3 s>>= 7", b"\xc7\x03\x00\x00\x07\x00\x00\x00"),
    ("r3 s>>= r7", b"\xcf\x73\x00\x00\x00\x00\x00\x00"),
    ("w4 += 3", b"\x04\x04\x00\x00\x03\x00\x00\x00"),
    ("w4 += w10", b"\x0c\xa4\x00\x00\x00\x00\x00\x00"),
    ("w5 -= -7", b"\x14\x05\x00\x00\xf9\xff\xff\xff"),
    ("w5 -= w2", b"\x1c\x25\x00\x00\x00\x00\x00\x00"),
    ("w6 *= 1", b"\x24\x06\x00\x00\x01\x00\x00\x00"),
    ("w6 *= w5", b"\x2c\x56\x00\x00\x00\x00\x00\x00"),
    ("w7 /= 255", b"\x34\x07\x00\x00\xff\x00\x00\x00"),
    ("w7 /= w8", b"\x3c\x87\x00\x00\x00\x00\x00\x00"),
    ("w8 s/= -1", b"\x34\x08\x01\x00\xff\xff\xff\xff"),
    ("w8 s/= w0", b"\x3c\x08\x01\x00\x00\x00\x00\x00"),
    ("w9 |= 2047", b"\x44\x09\x00\x00\xff\x07\x00\x00"),
    ("w9 |= w3", b"\x4c\x39\x00\x00\x00\x00\x00\x00"),
    ("w0 &= 13", b"\x54\x00\x00\x00\x0d\x00\x00\x00"),
    ("w0 &= w6", b"\x5c\x60\x00\x00\x00\x00\x00\x00"),
    ("w1 <<= 1", b"\x64\x01\x00\x00\x01\x00\x00\x00"),
    ("w1 <<= w9", b"\x6c\x91\x00\x00\x00\x00\x00\x00"),
    ("w2 >>= 31", b"\x74\x02\x00\x00\x1f\x00\x00\x00"),
    ("w2 >>= w1", b"\x7c\x12\x00\x00\x00\x00\x00\x00"),
    ("w3 %= 100", b"\x94\x03\x00\x00\x64\x00\x00\x00"),
    ("w3 %= w4", b"\x9c\x43\x00\x00\x00\x00\x00\x00"),
    ("w4 s%= -100", b"\x94\x04\x01\x00\x9c\xff\xff\xff"),
    ("w4 s%= w7", b"\x9c\x74\x01\x00\x00\x00\x00\x00"),
    ("w5 ^= 85", b"\xa4\x05\x00\x00\x55\x00\x00\x00"),
    ("w5 ^= w10", b"\xac\xa5\x00\x00\x00\x00\x00\x00"),
    ("w6 = 42", b"\xb4\x06\x00\x00\x2a\x00\x00\x00"),
    ("w6 = w2", b"\xbc\x26\x00\x00\x00\x00\x00\x00"),
    ("w7 s>>= 7", b"\xc4\x07\x00\x00\x07\x00\x00\x00"),
    ("w7 s>>= w5", b"\xcc\x57\x00\x00\x00\x00\x00\x00"),
    ("r2 = 0", b"\xb7\x02\x00\x00\x00\x00\x00\x00"),
    ("r2 = -1", b"\xb7\x02\x00\x00\xff\xff\xff\xff"),
    ("r2 = 1", b"\xb7\x02\x00\x00\x01\x00\x00\x00"),
    ("r2 = -2147483648", b"\xb7\x02\x00\x00\x00\x00\x00\x80"),
    ("r2 = 2147483647", b"\xb7\x02\x00\x00\xff\xff\xff\x7f"),
    ("r2 = -32768", b"\xb7\x02\x00\x00\x00\x80\xff\xff"),
    ("r2 = 32767", b"\xb7\x02\x00\x00\xff\x7f\x00\x00"),
    ("r3 += -2147483648", b"\x07\x03\x00\x00\x00\x00\x00\x80"),
    ("r4 &= 2147483647", b"\x57\x04\x00\x00\xff\xff\xff\x7f"),
    ("w2 = 0", b"\xb4\x02\x00\x00\x00\x00\x00\x00"),
    ("w2 = -1", b"\xb4\x02\x00\x00\xff\xff\xff\xff"),
    ("w2 = 1", b"\xb4\x02\x00\x00\x01\x00\x00\x00"),
    ("w2 = -2147483648", b"\xb4\x02\x00\x00\x00\x00\x00\x80"),
    ("w2 = 2147483647", b"\xb4\x02\x00\x00\xff\xff\xff\x7f"),
    ("w2 = -32768", b"\xb4\x02\x00\x00\x00\x80\xff\xff"),
    ("w2 = 32767", b"\xb4\x02\x00\x00\xff\x7f\x00\x00"),
    ("w3 += -2147483648", b"\x04\x03\x00\x00\x00\x00\x00\x80"),
    ("w4 &= 2147483647", b"\x54\x04\x00\x00\xff\xff\xff\x7f"),
    ("r5 = r0", b"\xbf\x05\x00\x00\x00\x00\x00\x00"),
    ("r6 = r1", b"\xbf\x16\x00\x00\x00\x00\x00\x00"),
    ("r7 = r2", b"\xbf\x27\x00\x00\x00\x00\x00\x00"),
    ("r8 = r3", b"\xbf\x38\x00\x00\x00\x00\x00\x00"),
    ("r9 = r4", b"\xbf\x49\x00\x00\x00\x00\x00\x00"),
    ("r0 = r5", b"\xbf\x50\x00\x00\x00\x00\x00\x00"),
    ("r1 = r6", b"\xbf\x61\x00\x00\x00\x00\x00\x00"),
    ("r2 = r7", b"\xbf\x72\x00\x00\x00\x00\x00\x00"),
    ("r3 = r8", b"\xbf\x83\x00\x00\x00\x00\x00\x00"),
    ("r4 = r9", b"\xbf\x94\x00\x00\x00\x00\x00\x00"),
    ("r5 = r10", b"\xbf\xa5\x00\x00\x00\x00\x00\x00"),
    ("w9 = w10", b"\xbc\xa9\x00\x00\x00\x00\x00\x00"),
    ("r0 += r10", b"\x0f\xa0\x00\x00\x00\x00\x00\x00"),
    ("w8 ^= w9", b"\xac\x98\x00\x00\x00\x00\x00\x00"),
    ("r0 = -r0", b"\x87\x00\x00\x00\x00\x00\x00\x00"),
    ("w0 = -w0", b"\x84\x00\x00\x00\x00\x00\x00\x00"),
    ("r9 = -r9", b"\x87\x09\x00\x00\x00\x00\x00\x00"),
    ("w5 = -w5", b"\x84\x05\x00\x00\x00\x00\x00\x00"),
    ("r8 = (s8)r1", b"\xbf\x18\x08\x00\x00\x00\x00\x00"),
    ("r6 = (s16)r1", b"\xbf\x16\x10\x00\x00\x00\x00\x00"),
    ("r2 = (s32)r10", b"\xbf\xa2\x20\x00\x00\x00\x00\x00"),
    ("w8 = (s8)w1", b"\xbc\x18\x08\x00\x00\x00\x00\x00"),
    ("w6 = (s16)w1", b"\xbc\x16\x10\x00\x00\x00\x00\x00"),
    ("r0 = (s8)r1", b"\xbf\x10\x08\x00\x00\x00\x00\x00"),
    ("w0 = (s16)w1", b"\xbc\x10\x10\x00\x00\x00\x00\x00"),
    ("r1 = be16 r1", b"\xdc\x01\x00\x00\x10\x00\x00\x00"),
    ("r2 = be32 r2", b"\xdc\x02\x00\x00\x20\x00\x00\x00"),
    ("r4 = be64 r4", b"\xdc\x04\x00\x00\x40\x00\x00\x00"),
    ("r1 = le16 r1", b"\xd4\x01\x00\x00\x10\x00\x00\x00"),
    ("r2 = le32 r2", b"\xd4\x02\x00\x00\x20\x00\x00\x00"),
    ("r4 = le64 r4", b"\xd4\x04\x00\x00\x40\x00\x00\x00"),
    ("r1 = bswap16 r1", b"\xd7\x01\x00\x00\x10\x00\x00\x00"),
    ("r2 = bswap32 r2", b"\xd7\x02\x00\x00\x20\x00\x00\x00"),
    ("r4 = bswap64 r4", b"\xd7\x04\x00\x00\x40\x00\x00\x00"),
    ("r9 = be64 r9", b"\xdc\x09\x00\x00\x40\x00\x00\x00"),
    (
        "r1 = addr_space_cast(r2, 0, 1)",
        b"\xbf\x21\x01\x00\x01\x00\x00\x00",
    ),
    (
        "r3 = addr_space_cast(r10, 1, 0)",
        b"\xbf\xa3\x01\x00\x00\x00\x01\x00",
    ),
    (
        "r1 = 0x1122334455667788 ll",
        b"\x18\x01\x00\x00\x88\x77\x66\x55\x00\x00\x00\x00\x44\x33\x22\x11",
    ),
    (
        "r0 = 0x0 ll",
        b"\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    ),
    (
        "r9 = 0xffffffffffffffff ll",
        b"\x18\x09\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff",
    ),
    (
        "r5 = 0x80000000 ll",
        b"\x18\x05\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00",
    ),
    (
        "r2 = 0x100000000 ll",
        b"\x18\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00",
    ),
    (
        "r3 = 0x7fffffffffffffff ll",
        b"\x18\x03\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\x7f",
    ),
    (
        "r4 = 0x8000000000000000 ll",
        b"\x18\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80",
    ),
    (
        "r6 = 0x1 ll",
        b"\x18\x06\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    ),
    (
        "r7 = 0xffffffff ll",
        b"\x18\x07\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    ),
    (
        "r8 = 0xdeadbeef00000000 ll",
        b"\x18\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xef\xbe\xad\xde",
    ),
    ("r0 = *(u8 *)(r2 + 0)", b"\x71\x20\x00\x00\x00\x00\x00\x00"),
    ("r2 = *(u16 *)(r3 + 2)", b"\x69\x32\x02\x00\x00\x00\x00\x00"),
    ("r4 = *(u32 *)(r5 + 4)", b"\x61\x54\x04\x00\x00\x00\x00\x00"),
    (
        "r6 = *(u64 *)(r10 - 8)",
        b"\x79\xa6\xf8\xff\x00\x00\x00\x00",
    ),
    ("r7 = *(s8 *)(r8 + 1)", b"\x91\x87\x01\x00\x00\x00\x00\x00"),
    ("r8 = *(s16 *)(r9 + 2)", b"\x89\x98\x02\x00\x00\x00\x00\x00"),
    (
        "r9 = *(s32 *)(r10 - 4)",
        b"\x81\xa9\xfc\xff\x00\x00\x00\x00",
    ),
    ("r0 = *(u32 *)(r1 + 4)", b"\x61\x10\x04\x00\x00\x00\x00\x00"),
    (
        "r0 = *(u64 *)(r10 - 8)",
        b"\x79\xa0\xf8\xff\x00\x00\x00\x00",
    ),
    ("r0 = *(u8 *)(r1 + 0)", b"\x71\x10\x00\x00\x00\x00\x00\x00"),
    ("r0 = *(s16 *)(r1 + 2)", b"\x89\x10\x02\x00\x00\x00\x00\x00"),
    (
        "r1 = *(u64 *)(r2 + 32767)",
        b"\x79\x21\xff\x7f\x00\x00\x00\x00",
    ),
    (
        "r1 = *(u8 *)(r2 - 32768)",
        b"\x71\x21\x00\x80\x00\x00\x00\x00",
    ),
    (
        "r3 = *(s8 *)(r4 - 32768)",
        b"\x91\x43\x00\x80\x00\x00\x00\x00",
    ),
    (
        "r3 = *(s32 *)(r4 + 32767)",
        b"\x81\x43\xff\x7f\x00\x00\x00\x00",
    ),
    ("*(u8 *)(r1 + 0) = r2", b"\x73\x21\x00\x00\x00\x00\x00\x00"),
    ("*(u16 *)(r3 + 6) = r4", b"\x6b\x43\x06\x00\x00\x00\x00\x00"),
    (
        "*(u32 *)(r10 - 4) = r5",
        b"\x63\x5a\xfc\xff\x00\x00\x00\x00",
    ),
    (
        "*(u64 *)(r10 - 16) = r6",
        b"\x7b\x6a\xf0\xff\x00\x00\x00\x00",
    ),
    (
        "*(u64 *)(r10 - 8) = r1",
        b"\x7b\x1a\xf8\xff\x00\x00\x00\x00",
    ),
    (
        "*(u64 *)(r1 + 32767) = r10",
        b"\x7b\xa1\xff\x7f\x00\x00\x00\x00",
    ),
    (
        "*(u8 *)(r9 - 32768) = r0",
        b"\x73\x09\x00\x80\x00\x00\x00\x00",
    ),
    ("*(u8 *)(r1 + 0) = -1", b"\x72\x01\x00\x00\xff\xff\xff\xff"),
    (
        "*(u16 *)(r2 + 2) = 255",
        b"\x6a\x02\x02\x00\xff\x00\x00\x00",
    ),
    (
        "*(u32 *)(r10 - 12) = 7",
        b"\x62\x0a\xf4\xff\x07\x00\x00\x00",
    ),
    ("*(u64 *)(r10 - 8) = 0", b"\x7a\x0a\xf8\xff\x00\x00\x00\x00"),
    ("*(u32 *)(r10 - 4) = 7", b"\x62\x0a\xfc\xff\x07\x00\x00\x00"),
    (
        "*(u64 *)(r10 - 8) = -2147483648",
        b"\x7a\x0a\xf8\xff\x00\x00\x00\x80",
    ),
    (
        "*(u64 *)(r10 - 8) = 2147483647",
        b"\x7a\x0a\xf8\xff\xff\xff\xff\x7f",
    ),
    (
        "*(u16 *)(r3 + 32767) = -32768",
        b"\x6a\x03\xff\x7f\x00\x80\xff\xff",
    ),
    (
        "*(u8 *)(r4 - 32768) = 127",
        b"\x72\x04\x00\x80\x7f\x00\x00\x00",
    ),
    (
        "lock *(u64 *)(r10 - 8) += r1",
        b"\xdb\x1a\xf8\xff\x00\x00\x00\x00",
    ),
    (
        "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)",
        b"\xdb\x1a\xf8\xff\x01\x00\x00\x00",
    ),
    (
        "lock *(u64 *)(r1 + 0) |= r4",
        b"\xdb\x41\x00\x00\x40\x00\x00\x00",
    ),
    (
        "r4 = atomic_fetch_or((u64 *)(r1 + 0), r4)",
        b"\xdb\x41\x00\x00\x41\x00\x00\x00",
    ),
    (
        "lock *(u64 *)(r2 + 16) &= r5",
        b"\xdb\x52\x10\x00\x50\x00\x00\x00",
    ),
    (
        "r5 = atomic_fetch_and((u64 *)(r2 + 16), r5)",
        b"\xdb\x52\x10\x00\x51\x00\x00\x00",
    ),
    (
        "lock *(u64 *)(r3 - 32768) ^= r6",
        b"\xdb\x63\x00\x80\xa0\x00\x00\x00",
    ),
    (
        "r6 = atomic_fetch_xor((u64 *)(r3 - 32768), r6)",
        b"\xdb\x63\x00\x80\xa1\x00\x00\x00",
    ),
    (
        "r1 = xchg_64(r10 - 8, r1)",
        b"\xdb\x1a\xf8\xff\xe1\x00\x00\x00",
    ),
    (
        "r7 = xchg_64(r8 + 32767, r7)",
        b"\xdb\x78\xff\x7f\xe1\x00\x00\x00",
    ),
    (
        "r0 = cmpxchg_64(r10 - 8, r0, r1)",
        b"\xdb\x1a\xf8\xff\xf1\x00\x00\x00",
    ),
    (
        "r0 = cmpxchg_64(r9 + 24, r0, r9)",
        b"\xdb\x99\x18\x00\xf1\x00\x00\x00",
    ),
    (
        "lock *(u32 *)(r10 - 8) += w1",
        b"\xc3\x1a\xf8\xff\x00\x00\x00\x00",
    ),
    (
        "w1 = atomic_fetch_add((u32 *)(r10 - 8), w1)",
        b"\xc3\x1a\xf8\xff\x01\x00\x00\x00",
    ),
    (
        "lock *(u32 *)(r1 + 0) |= w4",
        b"\xc3\x41\x00\x00\x40\x00\x00\x00",
    ),
    (
        "w4 = atomic_fetch_or((u32 *)(r1 + 0), w4)",
        b"\xc3\x41\x00\x00\x41\x00\x00\x00",
    ),
    (
        "lock *(u32 *)(r2 + 16) &= w5",
        b"\xc3\x52\x10\x00\x50\x00\x00\x00",
    ),
    (
        "w5 = atomic_fetch_and((u32 *)(r2 + 16), w5)",
        b"\xc3\x52\x10\x00\x51\x00\x00\x00",
    ),
    (
        "lock *(u32 *)(r3 - 32768) ^= w6",
        b"\xc3\x63\x00\x80\xa0\x00\x00\x00",
    ),
    (
        "w6 = atomic_fetch_xor((u32 *)(r3 - 32768), w6)",
        b"\xc3\x63\x00\x80\xa1\x00\x00\x00",
    ),
    (
        "w1 = xchg32_32(r10 - 8, w1)",
        b"\xc3\x1a\xf8\xff\xe1\x00\x00\x00",
    ),
    (
        "w7 = xchg32_32(r8 + 32767, w7)",
        b"\xc3\x78\xff\x7f\xe1\x00\x00\x00",
    ),
    (
        "w0 = cmpxchg32_32(r10 - 8, w0, w1)",
        b"\xc3\x1a\xf8\xff\xf1\x00\x00\x00",
    ),
    (
        "w0 = cmpxchg32_32(r9 + 24, w0, w9)",
        b"\xc3\x99\x18\x00\xf1\x00\x00\x00",
    ),
    ("if r0 == 5 goto +2", b"\x15\x00\x02\x00\x05\x00\x00\x00"),
    ("if r0 == r3 goto +7", b"\x1d\x30\x07\x00\x00\x00\x00\x00"),
    ("if r1 != -5 goto -2", b"\x55\x01\xfe\xff\xfb\xff\xff\xff"),
    ("if r1 != r8 goto -5", b"\x5d\x81\xfb\xff\x00\x00\x00\x00"),
    ("if r2 > 0 goto +0", b"\x25\x02\x00\x00\x00\x00\x00\x00"),
    ("if r2 > r2 goto +100", b"\x2d\x22\x64\x00\x00\x00\x00\x00"),
    ("if r3 >= 1 goto +1", b"\x35\x03\x01\x00\x01\x00\x00\x00"),
    ("if r3 >= r7 goto -100", b"\x3d\x73\x9c\xff\x00\x00\x00\x00"),
    ("if r4 < 255 goto +7", b"\xa5\x04\x07\x00\xff\x00\x00\x00"),
    ("if r4 < r1 goto +3", b"\xad\x14\x03\x00\x00\x00\x00\x00"),
    ("if r5 <= -1 goto -5", b"\xb5\x05\xfb\xff\xff\xff\xff\xff"),
    ("if r5 <= r6 goto +4", b"\xbd\x65\x04\x00\x00\x00\x00\x00"),
    (
        "if r6 s> 2147483647 goto +100",
        b"\x65\x06\x64\x00\xff\xff\xff\x7f",
    ),
    ("if r6 s> r0 goto +5", b"\x6d\x06\x05\x00\x00\x00\x00\x00"),
    (
        "if r7 s>= -2147483648 goto -100",
        b"\x75\x07\x9c\xff\x00\x00\x00\x80",
    ),
    ("if r7 s>= r5 goto +2", b"\x7d\x57\x02\x00\x00\x00\x00\x00"),
    ("if r8 s< 16 goto +3", b"\xc5\x08\x03\x00\x10\x00\x00\x00"),
    ("if r8 s< r10 goto -2", b"\xcd\xa8\xfe\xff\x00\x00\x00\x00"),
    (
        "if r9 s<= -32768 goto +4",
        b"\xd5\x09\x04\x00\x00\x80\xff\xff",
    ),
    ("if r9 s<= r4 goto +0", b"\xdd\x49\x00\x00\x00\x00\x00\x00"),
    ("if r10 & 4 goto +5", b"\x45\x0a\x05\x00\x04\x00\x00\x00"),
    ("if r10 & r9 goto +1", b"\x4d\x9a\x01\x00\x00\x00\x00\x00"),
    ("if w0 == 5 goto +2", b"\x16\x00\x02\x00\x05\x00\x00\x00"),
    ("if w0 == w3 goto +7", b"\x1e\x30\x07\x00\x00\x00\x00\x00"),
    ("if w1 != -5 goto -2", b"\x56\x01\xfe\xff\xfb\xff\xff\xff"),
    ("if w1 != w8 goto -5", b"\x5e\x81\xfb\xff\x00\x00\x00\x00"),
    ("if w2 > 0 goto +0", b"\x26\x02\x00\x00\x00\x00\x00\x00"),
    ("if w2 > w2 goto +100", b"\x2e\x22\x64\x00\x00\x00\x00\x00"),
    ("if w3 >= 1 goto +1", b"\x36\x03\x01\x00\x01\x00\x00\x00"),
    ("if w3 >= w7 goto -100", b"\x3e\x73\x9c\xff\x00\x00\x00\x00"),
    ("if w4 < 255 goto +7", b"\xa6\x04\x07\x00\xff\x00\x00\x00"),
    ("if w4 < w1 goto +3", b"\xae\x14\x03\x00\x00\x00\x00\x00"),
    ("if w5 <= -1 goto -5", b"\xb6\x05\xfb\xff\xff\xff\xff\xff"),
    ("if w5 <= w6 goto +4", b"\xbe\x65\x04\x00\x00\x00\x00\x00"),
    (
        "if w6 s> 2147483647 goto +100",
        b"\x66\x06\x64\x00\xff\xff\xff\x7f",
    ),
    ("if w6 s> w0 goto +5", b"\x6e\x06\x05\x00\x00\x00\x00\x00"),
    (
        "if w7 s>= -2147483648 goto -100",
        b"\x76\x07\x9c\xff\x00\x00\x00\x80",
    ),
    ("if w7 s>= w5 goto +2", b"\x7e\x57\x02\x00\x00\x00\x00\x00"),
    ("if w8 s< 16 goto +3", b"\xc6\x08\x03\x00\x10\x00\x00\x00"),
    ("if w8 s< w10 goto -2", b"\xce\xa8\xfe\xff\x00\x00\x00\x00"),
    (
        "if w9 s<= -32768 goto +4",
        b"\xd6\x09\x04\x00\x00\x80\xff\xff",
    ),
    ("if w9 s<= w4 goto +0", b"\xde\x49\x00\x00\x00\x00\x00\x00"),
    ("if w10 & 4 goto +5", b"\x46\x0a\x05\x00\x04\x00\x00\x00"),
    ("if w10 & w9 goto +1", b"\x4e\x9a\x01\x00\x00\x00\x00\x00"),
    ("if r1 == 5 goto +2", b"\x15\x01\x02\x00\x05\x00\x00\x00"),
    ("if r1 == -5 goto +2", b"\x15\x01\x02\x00\xfb\xff\xff\xff"),
    ("if w1 s< w2 goto -3", b"\xce\x21\xfd\xff\x00\x00\x00\x00"),
    ("if r1 & 4 goto +1", b"\x45\x01\x01\x00\x04\x00\x00\x00"),
    ("if r10 == r0 goto +1", b"\x1d\x0a\x01\x00\x00\x00\x00\x00"),
    (
        "if w0 != w10 goto +32767",
        b"\x5e\xa0\xff\x7f\x00\x00\x00\x00",
    ),
    (
        "if r9 s>= -1 goto -32768",
        b"\x75\x09\x00\x80\xff\xff\xff\xff",
    ),
    (
        "if w3 > 2147483647 goto -32768",
        b"\x26\x03\x00\x80\xff\xff\xff\x7f",
    ),
    (
        "if r4 <= -2147483648 goto +32767",
        b"\xb5\x04\xff\x7f\x00\x00\x00\x80",
    ),
    ("goto +3", b"\x05\x00\x03\x00\x00\x00\x00\x00"),
    ("goto +0", b"\x05\x00\x00\x00\x00\x00\x00\x00"),
    ("goto -2", b"\x05\x00\xfe\xff\x00\x00\x00\x00"),
    ("goto +32767", b"\x05\x00\xff\x7f\x00\x00\x00\x00"),
    ("goto -32768", b"\x05\x00\x00\x80\x00\x00\x00\x00"),
    ("gotol +3", b"\x06\x00\x00\x00\x03\x00\x00\x00"),
    ("gotol +0", b"\x06\x00\x00\x00\x00\x00\x00\x00"),
    ("gotol -2", b"\x06\x00\x00\x00\xfe\xff\xff\xff"),
    ("gotol +32767", b"\x06\x00\x00\x00\xff\x7f\x00\x00"),
    ("gotol -32768", b"\x06\x00\x00\x00\x00\x80\xff\xff"),
    (
        "call bpf_map_lookup_elem",
        b"\x85\x00\x00\x00\x01\x00\x00\x00",
    ),
    (
        "call bpf_map_update_elem",
        b"\x85\x00\x00\x00\x02\x00\x00\x00",
    ),
    ("call bpf_ktime_get_ns", b"\x85\x00\x00\x00\x05\x00\x00\x00"),
    ("call bpf_tail_call", b"\x85\x00\x00\x00\x0c\x00\x00\x00"),
    (
        "call bpf_ringbuf_output",
        b"\x85\x00\x00\x00\x82\x00\x00\x00",
    ),
    (
        "call bpf_cgrp_storage_delete",
        b"\x85\x00\x00\x00\xd3\x00\x00\x00",
    ),
    ("callx r1", b"\x8d\x01\x00\x00\x00\x00\x00\x00"),
    ("callx r10", b"\x8d\x0a\x00\x00\x00\x00\x00\x00"),
    ("exit", b"\x95\x00\x00\x00\x00\x00\x00\x00"),
    ("r0 = *(u8 *)skb[4]", b"\x30\x00\x00\x00\x04\x00\x00\x00"),
    ("r0 = *(u16 *)skb[0]", b"\x28\x00\x00\x00\x00\x00\x00\x00"),
    ("r0 = *(u32 *)skb[-1]", b"\x20\x00\x00\x00\xff\xff\xff\xff"),
    (
        "r0 = *(u32 *)skb[2147483647]",
        b"\x20\x00\x00\x00\xff\xff\xff\x7f",
    ),
    ("r0 = *(u8 *)skb[r10]", b"\x50\xa0\x00\x00\x00\x00\x00\x00"),
    ("r0 = *(u16 *)skb[r1]", b"\x48\x10\x00\x00\x00\x00\x00\x00"),
    ("r0 = *(u32 *)skb[r9]", b"\x40\x90\x00\x00\x00\x00\x00\x00"),
];

/// `(input, canonical disassembly, bytes from llvm-mc-19 for the input)`: inputs spelled as
/// LLVM prints them (or with a helper id), which the assembler accepts but the disassembler
/// prints in the canonical syntax.
const LLVM_SPELLING_ROWS: &[(&str, &str, &[u8])] = &[
    (
        "w0 = *(u32 *)(r1 + 4)",
        "r0 = *(u32 *)(r1 + 4)",
        b"\x61\x10\x04\x00\x00\x00\x00\x00",
    ),
    (
        "w2 = *(u16 *)(r3 - 2)",
        "r2 = *(u16 *)(r3 - 2)",
        b"\x69\x32\xfe\xff\x00\x00\x00\x00",
    ),
    (
        "w4 = *(u8 *)(r10 - 1)",
        "r4 = *(u8 *)(r10 - 1)",
        b"\x71\xa4\xff\xff\x00\x00\x00\x00",
    ),
    (
        "r1 = 1234605616436508552 ll",
        "r1 = 0x1122334455667788 ll",
        b"\x18\x01\x00\x00\x88\x77\x66\x55\x00\x00\x00\x00\x44\x33\x22\x11",
    ),
    (
        "r1 = 0 ll",
        "r1 = 0x0 ll",
        b"\x18\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    ),
    (
        "r9 = -1 ll",
        "r9 = 0xffffffffffffffff ll",
        b"\x18\x09\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff",
    ),
    (
        "call 1",
        "call bpf_map_lookup_elem",
        b"\x85\x00\x00\x00\x01\x00\x00\x00",
    ),
    (
        "call 12",
        "call bpf_tail_call",
        b"\x85\x00\x00\x00\x0c\x00\x00\x00",
    ),
];

/// NOT checked against LLVM (LLVM 19 cannot assemble these): `(canonical text, bytes built by
/// hand from the ISA)`.
const OWN_ROWS: &[(&str, &[u8])] = &[
    ("may_goto +2", b"\xe5\x00\x02\x00\x00\x00\x00\x00"),
    ("may_goto +0", b"\xe5\x00\x00\x00\x00\x00\x00\x00"),
    ("may_goto -2", b"\xe5\x00\xfe\xff\x00\x00\x00\x00"),
    ("may_goto +32767", b"\xe5\x00\xff\x7f\x00\x00\x00\x00"),
    ("may_goto -32768", b"\xe5\x00\x00\x80\x00\x00\x00\x00"),
    ("gotol +2147483647", b"\x06\x00\x00\x00\xff\xff\xff\x7f"),
    ("gotol -2147483648", b"\x06\x00\x00\x00\x00\x00\x00\x80"),
    ("gotol +32768", b"\x06\x00\x00\x00\x00\x80\x00\x00"),
    ("gotol -32769", b"\x06\x00\x00\x00\xff\x7f\xff\xff"),
];

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".to_string()
    }
}

/// Checks one row; returns a description of every mismatch.
fn check_row(input: &str, expected_text: &str, expected_bytes: &[u8]) -> Vec<String> {
    let mut errors = Vec::new();
    let asm = unwind_asm::assemble(input);
    if !asm.diagnostics.is_empty() {
        let diags: Vec<String> = asm.diagnostics.iter().map(|d| d.to_string()).collect();
        errors.push(format!("diagnostics: {}", diags.join("; ")));
    }
    let Some(program) = asm.program else {
        errors.push("no program".to_string());
        return errors;
    };
    let bytes = program.to_bytes();
    if bytes != expected_bytes {
        errors.push(format!(
            "bytes: expected (LLVM) [{}], got [{}]",
            hex(expected_bytes),
            hex(&bytes)
        ));
    }
    let text = disassemble(&program, Style::Source);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines != [expected_text] {
        errors.push(format!(
            "disassemble: expected {expected_text:?}, got {text:?}"
        ));
    }
    let one = format_insn(&program, 0, Style::Source);
    if one != expected_text {
        errors.push(format!(
            "format_insn: expected {expected_text:?}, got {one:?}"
        ));
    }
    errors
}

fn run_table<'a>(name: &str, rows: impl Iterator<Item = (&'a str, &'a str, &'a [u8])>) {
    let mut failures = Vec::new();
    let mut total = 0;
    for (i, (input, expected_text, expected_bytes)) in rows.enumerate() {
        total += 1;
        let result = std::panic::catch_unwind(|| check_row(input, expected_text, expected_bytes));
        let errors = match result {
            Ok(errors) => errors,
            Err(payload) => vec![format!("panicked: {}", panic_message(payload))],
        };
        for e in errors {
            failures.push(format!("{name}[{i}] `{input}`: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es) in {name} ({total} rows):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn llvm_rows_round_trip_with_llvm_bytes() {
    run_table(
        "LLVM_ROWS",
        LLVM_ROWS.iter().map(|&(text, bytes)| (text, text, bytes)),
    );
}

#[test]
fn llvm_spellings_assemble_to_llvm_bytes_and_print_canonically() {
    run_table("LLVM_SPELLING_ROWS", LLVM_SPELLING_ROWS.iter().copied());
}

#[test]
fn own_rows_not_llvm_checked_round_trip() {
    run_table(
        "OWN_ROWS",
        OWN_ROWS.iter().map(|&(text, bytes)| (text, text, bytes)),
    );
}

#[test]
fn table_is_large() {
    assert!(
        LLVM_ROWS.len() >= 120,
        "only {} LLVM-checked rows",
        LLVM_ROWS.len()
    );
    // Every row is one instruction (8 bytes) or an ld_imm64 (16 bytes), and no text repeats.
    let mut seen = std::collections::HashSet::new();
    for (text, bytes) in LLVM_ROWS.iter().chain(OWN_ROWS) {
        assert!(
            bytes.len() == 8 || bytes.len() == 16,
            "{text}: {} bytes",
            bytes.len()
        );
        assert!(seen.insert(*text), "duplicate row {text}");
    }
}
