//! The BPF instruction set: RFC 9669 plus the kernel's additions in use today
//! (`may_goto`, `addr_space_cast`, legacy packet loads, `callx` for the conformance suite).
//!
//! [`RawInsn`] is the 8-byte slot; [`Insn`] is the typed instruction. [`Insn::encode`] and
//! [`Insn::decode`] convert between them, and [`decode_program`] decodes a whole program slot by slot.
//! [`semantics`] says what the ALU and jump instructions compute, for the interpreter and the verifier alike.

mod insn;
pub mod opcode;
mod raw;
pub mod semantics;

pub use insn::{
    AluOp, AtomicOp, CallTarget, DecodeError, Endian, Field, Imm64Kind, Insn, JmpOp, Operand, Reg,
    Size, Width,
};
pub use raw::{slots_from_bytes, slots_to_bytes, RawInsn, SLOT_SIZE};

/// What sits at one pc of a decoded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// An instruction starts here.
    Insn(Insn),
    /// The second half of the `ld_imm64` at the previous pc.
    Imm64Tail,
    /// This slot does not decode.
    Invalid(DecodeError),
}

/// Decodes every slot of a program. An undecodable slot does not stop decoding: the next
/// slot is tried on its own, so a disassembler can show everything that is valid.
pub fn decode_program(slots: &[RawInsn]) -> Vec<Slot> {
    let mut out = Vec::with_capacity(slots.len());
    let mut pc = 0;
    while pc < slots.len() {
        match Insn::decode(&slots[pc..]) {
            Ok(insn) => {
                let n = insn.slots();
                out.push(Slot::Insn(insn));
                if n == 2 {
                    out.push(Slot::Imm64Tail);
                }
                pc += n;
            }
            Err(e) => {
                out.push(Slot::Invalid(e));
                pc += 1;
            }
        }
    }
    out
}

/// Encodes a sequence of instructions into slots.
pub fn encode_program<'a>(insns: impl IntoIterator<Item = &'a Insn>) -> Vec<RawInsn> {
    let mut out = Vec::new();
    for insn in insns {
        insn.encode_into(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Result<Insn, DecodeError> {
        Insn::decode(&[RawInsn::new(code, dst, src, off, imm), RawInsn::default()])
    }

    #[test]
    fn reserved_fields_are_refused_like_the_kernel() {
        // kernel: "BPF_ALU uses reserved fields" for a K-source ALU op with src_reg set.
        assert!(matches!(
            dec(0x07, 1, 2, 0, 1),
            Err(DecodeError::ReservedField {
                field: Field::Src,
                ..
            })
        ));
        assert!(matches!(
            dec(0x95, 0, 0, 0, 1),
            Err(DecodeError::ReservedField {
                field: Field::Imm,
                ..
            })
        ));
        // sdiv/smod use off = 1; other values are invalid.
        assert!(matches!(
            dec(0x3f, 1, 2, 2, 0),
            Err(DecodeError::InvalidField {
                field: Field::Off,
                ..
            })
        ));
    }

    #[test]
    fn invalid_registers_and_opcodes() {
        assert_eq!(
            dec(0xb7, 11, 0, 0, 0),
            Err(DecodeError::InvalidRegister {
                field: Field::Dst,
                reg: 11
            })
        );
        // No sign-extending 64-bit load, no JMP32 exit, no 0xe0 ALU op.
        assert_eq!(
            dec(0x99, 1, 2, 0, 0),
            Err(DecodeError::UnknownOpcode { code: 0x99 })
        );
        assert_eq!(
            dec(0x96, 0, 0, 0, 0),
            Err(DecodeError::UnknownOpcode { code: 0x96 })
        );
        assert_eq!(
            dec(0xe7, 0, 0, 0, 0),
            Err(DecodeError::UnknownOpcode { code: 0xe7 })
        );
        // Endianness sizes are 16, 32 or 64.
        assert!(matches!(
            dec(0xdc, 1, 0, 0, 8),
            Err(DecodeError::InvalidField { .. })
        ));
    }

    #[test]
    fn ld_imm64_needs_a_clean_second_slot() {
        let first = RawInsn::new(0x18, 1, 0, 0, 1);
        assert_eq!(Insn::decode(&[first]), Err(DecodeError::MissingSecondSlot));
        assert!(matches!(
            Insn::decode(&[first, RawInsn::new(0x18, 0, 0, 0, 0)]),
            Err(DecodeError::BadSecondSlot { .. })
        ));
        let ok = Insn::decode(&[first, RawInsn::new(0, 0, 0, 0, 2)]).unwrap();
        assert_eq!(
            ok,
            Insn::LdImm64 {
                dst: Reg::R1,
                kind: Imm64Kind::Imm,
                imm: 0x2_0000_0001
            }
        );
    }

    #[test]
    fn atomics_decode_every_operation() {
        for (imm, op, fetch) in [
            (0x00, AtomicOp::Add, false),
            (0x01, AtomicOp::Add, true),
            (0x40, AtomicOp::Or, false),
            (0x51, AtomicOp::And, true),
            (0xa1, AtomicOp::Xor, true),
            (0xe1, AtomicOp::Xchg, true),
            (0xf1, AtomicOp::Cmpxchg, true),
        ] {
            let insn = dec(0xdb, 10, 1, -8, imm).unwrap();
            assert!(matches!(insn, Insn::Atomic { op: o, fetch: f, .. } if o == op && f == fetch));
        }
        // xchg without the fetch bit is not an operation.
        assert!(dec(0xdb, 10, 1, -8, 0xe0).is_err());
        // Byte-sized atomics do not exist.
        assert!(dec(0xd3, 10, 1, -8, 0).is_err());
    }

    #[test]
    fn decode_program_marks_ld_imm64_tails_and_keeps_going() {
        let slots = [
            RawInsn::new(0x18, 1, 0, 0, 1),
            RawInsn::default(),
            RawInsn::new(0xff, 0, 0, 0, 0),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ];
        let d = decode_program(&slots);
        assert!(matches!(d[1], Slot::Imm64Tail));
        assert!(matches!(
            d[2],
            Slot::Invalid(DecodeError::UnknownOpcode { code: 0xff })
        ));
        assert_eq!(d[3], Slot::Insn(Insn::Exit));
    }
}
