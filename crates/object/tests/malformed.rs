//! Malformed objects give a typed error, never a panic: hand-made breakages of the fixtures'
//! headers, sections, relocations and BTF, and arbitrary byte flips and truncations.

use proptest::prelude::*;
use unwind_object::btf::{Btf, BtfError, BtfExt};
use unwind_object::{load, ObjectError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.o", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn u16_at(b: &[u8], o: usize) -> usize {
    u16::from_le_bytes([b[o], b[o + 1]]) as usize
}
fn u32_at(b: &[u8], o: usize) -> usize {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize
}
fn u64_at(b: &[u8], o: usize) -> usize {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize
}

/// A section header of the fixture, read by hand: (name, header offset, type, offset, size).
struct Sh {
    name: String,
    hdr: usize,
    ty: usize,
    offset: usize,
    size: usize,
}

fn sections(b: &[u8]) -> Vec<Sh> {
    let (shoff, shentsize, shnum, shstrndx) = (
        u64_at(b, 0x28),
        u16_at(b, 0x3a),
        u16_at(b, 0x3c),
        u16_at(b, 0x3e),
    );
    let hdr = |i: usize| shoff + i * shentsize;
    let strtab = u64_at(b, hdr(shstrndx) + 0x18);
    (0..shnum)
        .map(|i| {
            let h = hdr(i);
            let name_off = strtab + u32_at(b, h);
            let end = b[name_off..].iter().position(|&c| c == 0).unwrap();
            Sh {
                name: String::from_utf8_lossy(&b[name_off..name_off + end]).into_owned(),
                hdr: h,
                ty: u32_at(b, h + 4),
                offset: u64_at(b, h + 0x18),
                size: u64_at(b, h + 0x20),
            }
        })
        .collect()
}

fn section<'a>(secs: &'a [Sh], name: &str) -> &'a Sh {
    secs.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn headers() {
    assert_eq!(
        load(b"").unwrap_err(),
        ObjectError::TruncatedHeader { len: 0 }
    );
    assert_eq!(
        load(b"\x7fEL").unwrap_err(),
        ObjectError::TruncatedHeader { len: 3 }
    );
    assert_eq!(load(b"r0 = 0\nexit\n").unwrap_err(), ObjectError::NotElf);
    let good = fixture("global_loophole");
    assert_eq!(
        load(&good[..40]).unwrap_err(),
        ObjectError::TruncatedHeader { len: 40 }
    );
    let mut b = good.clone();
    b[4] = 1;
    assert_eq!(load(&b).unwrap_err(), ObjectError::WrongClass { class: 1 });
    let mut b = good.clone();
    b[5] = 2;
    assert_eq!(
        load(&b).unwrap_err(),
        ObjectError::WrongEndian { encoding: 2 }
    );
    let mut b = good.clone();
    b[18] = 62; // EM_X86_64
    b[19] = 0;
    assert_eq!(
        load(&b).unwrap_err(),
        ObjectError::WrongMachine { machine: 62 }
    );
    // The section headers cut off.
    let shoff = u64_at(&good, 0x28);
    assert!(matches!(
        load(&good[..shoff + 10]).unwrap_err(),
        ObjectError::Elf { .. }
    ));
}

#[test]
fn relocations() {
    let good = fixture("global_loophole");
    let secs = sections(&good);
    let rel = section(&secs, ".reltc");
    assert_eq!(rel.ty, 9); // SHT_REL
                           // The first relocation's offset past the section.
    let mut b = good.clone();
    b[rel.offset..rel.offset + 8].copy_from_slice(&0x10_0000u64.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::RelocationOutOfRange {
            index: 0,
            offset: 0x10_0000,
            ..
        }
    ));
    // Not at an instruction boundary.
    let mut b = good.clone();
    b[rel.offset..rel.offset + 8].copy_from_slice(&3u64.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::RelocationOutOfRange { offset: 3, .. }
    ));
    // A symbol that does not exist.
    let mut b = good.clone();
    b[rel.offset + 12..rel.offset + 16].copy_from_slice(&0xffffu32.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::BadSymbol { symbol: 0xffff, .. }
    ));
    // sh_info naming a section that does not exist.
    let mut b = good.clone();
    b[rel.hdr + 0x2c..rel.hdr + 0x30].copy_from_slice(&999u32.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::BadSectionIndex { index: 999, .. }
    ));
    // A code section whose size is not a whole number of instructions.
    let mut b = good.clone();
    let tc = section(&secs, "tc");
    b[tc.hdr + 0x20..tc.hdr + 0x28].copy_from_slice(&((tc.size - 3) as u64).to_le_bytes());
    assert!(load(&b).is_err());
}

#[test]
fn btf_in_the_object() {
    let good = fixture("map_lookup_throw");
    let secs = sections(&good);
    let btf = section(&secs, ".BTF");
    // Bad magic.
    let mut b = good.clone();
    b[btf.offset] = 0;
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::Btf(BtfError::BadMagic { .. })
    ));
    // The string section's offset past the end.
    let mut b = good.clone();
    b[btf.offset + 16..btf.offset + 20].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::Btf(BtfError::BadOffset { .. })
    ));
    // A huge line_info count in .BTF.ext.
    let ext = section(&secs, ".BTF.ext");
    let hdr_len = u32_at(&good, ext.offset + 4);
    let line_off = u32_at(&good, ext.offset + 16);
    let at = ext.offset + hdr_len + line_off + 4 + 4; // record size, section name, count
    let mut b = good.clone();
    b[at..at + 4].copy_from_slice(&0xffff_ffffu32.to_le_bytes());
    assert!(matches!(
        load(&b).unwrap_err(),
        ObjectError::Btf(BtfError::HugeCount { .. })
    ));
}

/// A `.BTF` with these types (each: name_off, info, size_or_type, then extra words) and a
/// string table of one empty string.
fn btf_blob(types: &[&[u32]]) -> Vec<u8> {
    let type_bytes: Vec<u8> = types
        .iter()
        .flat_map(|t| t.iter().flat_map(|w| w.to_le_bytes()))
        .collect();
    let mut b = Vec::new();
    b.extend_from_slice(&0xeb9fu16.to_le_bytes());
    b.extend_from_slice(&[1, 0]);
    for w in [
        24u32,
        0,
        type_bytes.len() as u32,
        type_bytes.len() as u32,
        1,
    ] {
        b.extend_from_slice(&w.to_le_bytes());
    }
    b.extend_from_slice(&type_bytes);
    b.push(0);
    b
}

const fn info(kind: u32, vlen: u32) -> u32 {
    kind << 24 | vlen
}

#[test]
fn btf_loops_bad_ids_and_huge_counts() {
    // Two typedefs naming each other, and an array of itself.
    let btf = Btf::parse(&btf_blob(&[
        &[0, info(8, 0), 2],
        &[0, info(8, 0), 1],
        &[0, info(3, 0), 0, 3, 1, 4],
    ]))
    .unwrap();
    assert!(matches!(btf.skip_modifiers(1), Err(BtfError::Loop { .. })));
    assert!(matches!(btf.size_of(1), Err(BtfError::Loop { .. })));
    assert!(matches!(btf.size_of(3), Err(BtfError::Loop { .. })));
    // A reference to a type that does not exist.
    assert!(matches!(
        Btf::parse(&btf_blob(&[&[0, info(2, 0), 7]])),
        Err(BtfError::BadTypeId {
            id: 1,
            target: 7,
            ..
        })
    ));
    // A struct claiming 65535 members in a few bytes.
    assert!(matches!(
        Btf::parse(&btf_blob(&[&[0, info(4, 0xffff), 8]])),
        Err(BtfError::Truncated { .. })
    ));
    // An unknown kind, a bad string offset.
    assert!(matches!(
        Btf::parse(&btf_blob(&[&[0, info(30, 0), 0]])),
        Err(BtfError::UnknownKind { kind: 30, .. })
    ));
    assert!(matches!(
        Btf::parse(&btf_blob(&[&[99, info(1, 0), 4, 32]])),
        Err(BtfError::BadString { offset: 99, .. })
    ));
    // .BTF.ext: truncated, and a record size too small.
    let btf = Btf::parse(&btf_blob(&[])).unwrap();
    assert!(matches!(
        BtfExt::parse(&[0x9f, 0xeb, 1], &btf),
        Err(BtfError::Truncated { .. })
    ));
    let mut ext = vec![0x9f, 0xeb, 1, 0];
    for w in [32u32, 0, 4, 0, 0] {
        ext.extend_from_slice(&w.to_le_bytes());
    }
    ext.extend_from_slice(&[0; 8]);
    ext.extend_from_slice(&2u32.to_le_bytes());
    assert!(matches!(
        BtfExt::parse(&ext, &btf),
        Err(BtfError::BadRecordSize { size: 2, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any few bytes changed anywhere: an object or an error, no panic.
    #[test]
    fn byte_flips_never_panic(
        which in 0usize..5,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let name = ["global_loophole", "callee_saved", "exception_callback", "map_lookup_throw", "relocations"][which];
        let mut b = fixture(name);
        for (i, v) in flips {
            let i = i.index(b.len());
            b[i] = v;
        }
        let _ = load(&b);
    }

    /// Flips inside .BTF, .BTF.ext, the symbol table, the relocations and the code, where
    /// they reach the parsers and the relocation past the ELF checks.
    #[test]
    fn flips_in_btf_symbols_and_relocations_never_panic(
        which in 0usize..7,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut b = fixture("relocations");
        let secs = sections(&b);
        let name = [".BTF", ".BTF.ext", ".symtab", ".relsocket", ".text", "socket", ".rel.text"][which];
        let s = section(&secs, name);
        let (off, size) = (s.offset, s.size);
        for (i, v) in flips {
            b[off + i.index(size)] = v;
        }
        let _ = load(&b);
    }

    /// Any prefix of an object.
    #[test]
    fn truncations_never_panic(which in 0usize..5, cut in any::<prop::sample::Index>()) {
        let name = ["global_loophole", "callee_saved", "exception_callback", "map_lookup_throw", "relocations"][which];
        let b = fixture(name);
        let _ = load(&b[..cut.index(b.len())]);
    }
}
