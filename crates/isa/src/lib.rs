//! The BPF instruction set: RFC 9669 plus the kernel's additions in use today
//! (`may_goto`, `addr_space_cast`, legacy packet loads, `callx` for the conformance suite).
//!
//! [`RawInsn`] is the 8-byte slot; [`Insn`] is the typed instruction. [`Insn::encode`] and
//! [`Insn::decode`] convert between them, and [`decode_program`] decodes a whole program slot by slot.

mod insn;
pub mod opcode;
mod raw;

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
