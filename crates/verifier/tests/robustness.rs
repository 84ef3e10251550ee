//! The verifier never panics and always ends, whatever the instruction slots: random slots
//! (mostly valid opcodes with registers, offsets and immediates near the interesting ranges,
//! sometimes arbitrary bytes) go through `Program::from_slots` and `verify` at every log level.
//! Ending is checked by the processed-instruction count staying within the complexity limit.
//!
//! `PROPTEST_CASES=N` sets the number of programs (default 256).

use proptest::prelude::*;
use unwind_isa::RawInsn;
use unwind_program::Program;
use unwind_verifier::{verify, Options, COMPLEXITY_LIMIT};

/// Opcodes of every instruction class (ALU/ALU64 with K and X sources, loads and stores of
/// every size and mode, atomics, jumps, calls, exit, ld_imm64, legacy packet loads).
const OPCODES: &[u8] = &[
    // alu64 K/X
    0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f,
    0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0xdc, // alu32
    0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
    0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, // loads and stores
    0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3,
    0xdb, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x18, 0x00, // jumps
    0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d,
    0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x56,
    0x66, 0xa6, 0xb6, 0xc6, 0xd6, 0xe5, // call, callx, exit
    0x85, 0x85, 0x85, 0x8d, 0x95, 0x95, 0x95,
];

fn slot() -> impl Strategy<Value = RawInsn> {
    let structured = (
        prop::sample::select(OPCODES),
        prop_oneof![9 => 0u8..11, 1 => 0u8..16],
        prop_oneof![6 => 0u8..11, 2 => 0u8..3, 1 => 0u8..16],
        prop_oneof![6 => -8i16..8, 1 => -520i16..520, 1 => any::<i16>()],
        prop_oneof![4 => -16i32..64, 2 => 0i32..212, 1 => any::<i32>()],
    )
        .prop_map(|(code, dst, src, off, imm)| RawInsn::new(code, dst, src, off, imm));
    let exit = Just(RawInsn::new(0x95, 0, 0, 0, 0));
    let arbitrary = any::<u64>().prop_map(RawInsn::from_word);
    prop_oneof![12 => structured, 2 => exit, 1 => arbitrary]
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn verify_never_panics_and_ends(slots in prop::collection::vec(slot(), 1..32), level in 0u32..3) {
        let program = Program::from_slots(slots);
        let opts = Options { log_level: level, ..Options::default() };
        let verdict = verify(&program, &opts);
        prop_assert!(verdict.stats.insns_processed <= COMPLEXITY_LIMIT + 1);
        prop_assert_eq!(verdict.accepted, verdict.errors.is_empty());
        // the verdict serialises (the CLI's --json and the page use it)
        prop_assert!(serde_json::to_string(&verdict).is_ok());
    }
}
