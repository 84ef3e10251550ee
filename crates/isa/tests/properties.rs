//! Properties of the encoding: decoding is total (never panics) and decode-then-encode is the
//! identity for every slot pair that decodes.

use proptest::prelude::*;
use unwind_isa::{decode_program, Insn, RawInsn, Slot};

fn raw_insn() -> impl Strategy<Value = RawInsn> {
    // Bias the opcode towards valid classes and fields towards small values, so that a good
    // share of the generated slots decode.
    (
        any::<u8>(),
        0u8..16,
        0u8..16,
        any::<i16>(),
        prop_oneof![any::<i32>(), -64i32..64],
    )
        .prop_map(|(code, dst, src, off, imm)| RawInsn::new(code, dst, src, off, imm))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn decode_then_encode_is_identity(a in raw_insn(), b in raw_insn()) {
        let slots = [a, b];
        if let Ok(insn) = Insn::decode(&slots) {
            let encoded = insn.encode();
            prop_assert_eq!(&encoded[..], &slots[..insn.slots()]);
        }
    }

    #[test]
    fn bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        match unwind_isa::slots_from_bytes(&bytes) {
            Ok(slots) => prop_assert_eq!(unwind_isa::slots_to_bytes(&slots), bytes),
            Err(_) => prop_assert!(bytes.len() % 8 != 0),
        }
    }

    #[test]
    fn decode_program_covers_every_slot(slots in proptest::collection::vec(raw_insn(), 0..64)) {
        let decoded = decode_program(&slots);
        prop_assert_eq!(decoded.len(), slots.len());
        for (pc, d) in decoded.iter().enumerate() {
            if let Slot::Insn(insn) = d {
                prop_assert_eq!(&insn.encode()[..], &slots[pc..pc + insn.slots()]);
            }
        }
    }
}

#[test]
fn every_class_has_decodable_forms() {
    // A sanity check on the generator's reach: each of the eight classes decodes somewhere.
    let mut seen = [false; 8];
    for code in 0..=255u8 {
        for (src, imm) in [(0, 0), (1, 0), (0, 16), (0, 1), (0, 0xe1)] {
            let slots = [RawInsn::new(code, 1, src, 0, imm), RawInsn::default()];
            if Insn::decode(&slots).is_ok() {
                seen[(code & 7) as usize] = true;
            }
        }
    }
    assert_eq!(seen, [true; 8]);
}
