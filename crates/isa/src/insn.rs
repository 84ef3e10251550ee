//! Typed instructions. Every variant encodes to exactly one (or, for `ld_imm64`, two) slots,
//! and decoding is strict: fields an instruction does not use must be zero, as the kernel's
//! `check_*` functions demand ("uses reserved fields"), so that decode-then-encode is the identity.

use serde::Serialize;
use std::fmt;

use crate::opcode::*;
use crate::RawInsn;

/// A register, R0..=R10. R10 is the read-only frame pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Reg(u8);

impl Reg {
    pub const R0: Reg = Reg(0);
    pub const R1: Reg = Reg(1);
    pub const R10: Reg = Reg(10);
    pub const FP: Reg = Reg(10);

    /// `None` for numbers above 10.
    pub const fn new(n: u8) -> Option<Reg> {
        if n <= 10 {
            Some(Reg(n))
        } else {
            None
        }
    }

    pub const fn index(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// Operand width of an ALU or conditional-jump instruction (`ALU`/`JMP32` vs `ALU64`/`JMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Width {
    W32,
    W64,
}

/// Size of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Size {
    B,
    H,
    W,
    DW,
}

impl Size {
    /// The C type of an access of this size, as pseudo-C writes it (`u32`, `s16`); 64-bit
    /// accesses are `u64` whether signed or not, as LLVM prints them.
    pub const fn c_type(self, signed: bool) -> &'static str {
        match (self, signed) {
            (Size::B, false) => "u8",
            (Size::H, false) => "u16",
            (Size::W, false) => "u32",
            (Size::DW, _) => "u64",
            (Size::B, true) => "s8",
            (Size::H, true) => "s16",
            (Size::W, true) => "s32",
        }
    }

    pub const fn bytes(self) -> u32 {
        match self {
            Size::B => 1,
            Size::H => 2,
            Size::W => 4,
            Size::DW => 8,
        }
    }

    pub const fn bits(self) -> u32 {
        self.bytes() * 8
    }

    pub fn from_bytes(n: u32) -> Option<Size> {
        Some(match n {
            1 => Size::B,
            2 => Size::H,
            4 => Size::W,
            8 => Size::DW,
            _ => return None,
        })
    }

    const fn field(self) -> u8 {
        match self {
            Size::B => SIZE_B,
            Size::H => SIZE_H,
            Size::W => SIZE_W,
            Size::DW => SIZE_DW,
        }
    }

    const fn from_field(code: u8) -> Size {
        match code & 0x18 {
            SIZE_B => Size::B,
            SIZE_H => Size::H,
            SIZE_W => Size::W,
            _ => Size::DW,
        }
    }
}

/// Second operand of ALU and jump instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Operand {
    Reg(Reg),
    Imm(i32),
}

/// Binary ALU operations. `Sdiv`/`Smod` are DIV/MOD with `off = 1` (cpu v4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AluOp {
    Add,
    Sub,
    Mul,
    Div,
    Sdiv,
    Or,
    And,
    Lsh,
    Rsh,
    Mod,
    Smod,
    Xor,
    Mov,
    Arsh,
}

impl AluOp {
    pub const ALL: [AluOp; 14] = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::Div,
        AluOp::Sdiv,
        AluOp::Or,
        AluOp::And,
        AluOp::Lsh,
        AluOp::Rsh,
        AluOp::Mod,
        AluOp::Smod,
        AluOp::Xor,
        AluOp::Mov,
        AluOp::Arsh,
    ];

    /// Opcode operation bits and the `off` value that selects this operation.
    const fn field(self) -> (u8, i16) {
        match self {
            AluOp::Add => (ALU_ADD, 0),
            AluOp::Sub => (ALU_SUB, 0),
            AluOp::Mul => (ALU_MUL, 0),
            AluOp::Div => (ALU_DIV, 0),
            AluOp::Sdiv => (ALU_DIV, 1),
            AluOp::Or => (ALU_OR, 0),
            AluOp::And => (ALU_AND, 0),
            AluOp::Lsh => (ALU_LSH, 0),
            AluOp::Rsh => (ALU_RSH, 0),
            AluOp::Mod => (ALU_MOD, 0),
            AluOp::Smod => (ALU_MOD, 1),
            AluOp::Xor => (ALU_XOR, 0),
            AluOp::Mov => (ALU_MOV, 0),
            AluOp::Arsh => (ALU_ARSH, 0),
        }
    }

    /// The compound-assignment operator of the pseudo-C syntax (`+=`, `s>>=`, ...).
    pub const fn symbol(self) -> &'static str {
        match self {
            AluOp::Add => "+=",
            AluOp::Sub => "-=",
            AluOp::Mul => "*=",
            AluOp::Div => "/=",
            AluOp::Sdiv => "s/=",
            AluOp::Or => "|=",
            AluOp::And => "&=",
            AluOp::Lsh => "<<=",
            AluOp::Rsh => ">>=",
            AluOp::Mod => "%=",
            AluOp::Smod => "s%=",
            AluOp::Xor => "^=",
            AluOp::Mov => "=",
            AluOp::Arsh => "s>>=",
        }
    }
}

/// Conditional jump comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum JmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Sgt,
    Sge,
    Slt,
    Sle,
    Set,
}

impl JmpOp {
    pub const ALL: [JmpOp; 11] = [
        JmpOp::Eq,
        JmpOp::Ne,
        JmpOp::Gt,
        JmpOp::Ge,
        JmpOp::Lt,
        JmpOp::Le,
        JmpOp::Sgt,
        JmpOp::Sge,
        JmpOp::Slt,
        JmpOp::Sle,
        JmpOp::Set,
    ];

    const fn field(self) -> u8 {
        match self {
            JmpOp::Eq => JMP_JEQ,
            JmpOp::Ne => JMP_JNE,
            JmpOp::Gt => JMP_JGT,
            JmpOp::Ge => JMP_JGE,
            JmpOp::Lt => JMP_JLT,
            JmpOp::Le => JMP_JLE,
            JmpOp::Sgt => JMP_JSGT,
            JmpOp::Sge => JMP_JSGE,
            JmpOp::Slt => JMP_JSLT,
            JmpOp::Sle => JMP_JSLE,
            JmpOp::Set => JMP_JSET,
        }
    }

    const fn from_field(op: u8) -> Option<JmpOp> {
        Some(match op {
            JMP_JEQ => JmpOp::Eq,
            JMP_JNE => JmpOp::Ne,
            JMP_JGT => JmpOp::Gt,
            JMP_JGE => JmpOp::Ge,
            JMP_JLT => JmpOp::Lt,
            JMP_JLE => JmpOp::Le,
            JMP_JSGT => JmpOp::Sgt,
            JMP_JSGE => JmpOp::Sge,
            JMP_JSLT => JmpOp::Slt,
            JMP_JSLE => JmpOp::Sle,
            JMP_JSET => JmpOp::Set,
            _ => return None,
        })
    }

    /// The comparison operator of the pseudo-C syntax.
    pub const fn symbol(self) -> &'static str {
        match self {
            JmpOp::Eq => "==",
            JmpOp::Ne => "!=",
            JmpOp::Gt => ">",
            JmpOp::Ge => ">=",
            JmpOp::Lt => "<",
            JmpOp::Le => "<=",
            JmpOp::Sgt => "s>",
            JmpOp::Sge => "s>=",
            JmpOp::Slt => "s<",
            JmpOp::Sle => "s<=",
            JmpOp::Set => "&",
        }
    }

    /// The uBPF mnemonic stem (`jeq`, `jsgt`, ...).
    pub const fn mnemonic(self) -> &'static str {
        match self {
            JmpOp::Eq => "jeq",
            JmpOp::Ne => "jne",
            JmpOp::Gt => "jgt",
            JmpOp::Ge => "jge",
            JmpOp::Lt => "jlt",
            JmpOp::Le => "jle",
            JmpOp::Sgt => "jsgt",
            JmpOp::Sge => "jsge",
            JmpOp::Slt => "jslt",
            JmpOp::Sle => "jsle",
            JmpOp::Set => "jset",
        }
    }
}

/// Read-modify-write operations of `BPF_ATOMIC`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AtomicOp {
    Add,
    Or,
    And,
    Xor,
    /// Always fetches.
    Xchg,
    /// Compares with R0, always fetches into R0.
    Cmpxchg,
}

impl AtomicOp {
    pub const fn name(self) -> &'static str {
        match self {
            AtomicOp::Add => "add",
            AtomicOp::Or => "or",
            AtomicOp::And => "and",
            AtomicOp::Xor => "xor",
            AtomicOp::Xchg => "xchg",
            AtomicOp::Cmpxchg => "cmpxchg",
        }
    }
}

/// Byte-order conversions: `le`/`be` (ALU class, to a given endianness) and `bswap` (ALU64, unconditional).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Endian {
    Le,
    Be,
    Swap,
}

/// The meaning of an `ld_imm64` immediate, from its src field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Imm64Kind {
    /// A plain 64-bit constant.
    Imm,
    /// `BPF_PSEUDO_MAP_FD`: imm is a map file descriptor (here: the map's index).
    MapFd,
    /// `BPF_PSEUDO_MAP_VALUE`: low imm is the map, high imm an offset into its value.
    MapValue,
    /// `BPF_PSEUDO_BTF_ID`: address of a kernel variable.
    BtfId,
    /// `BPF_PSEUDO_FUNC`: imm is the relative instruction offset of a function (a callback).
    Func,
    /// `BPF_PSEUDO_MAP_IDX`.
    MapIdx,
    /// `BPF_PSEUDO_MAP_IDX_VALUE`.
    MapIdxValue,
}

impl Imm64Kind {
    const fn field(self) -> u8 {
        match self {
            Imm64Kind::Imm => 0,
            Imm64Kind::MapFd => PSEUDO_MAP_FD,
            Imm64Kind::MapValue => PSEUDO_MAP_VALUE,
            Imm64Kind::BtfId => PSEUDO_BTF_ID,
            Imm64Kind::Func => PSEUDO_FUNC,
            Imm64Kind::MapIdx => PSEUDO_MAP_IDX,
            Imm64Kind::MapIdxValue => PSEUDO_MAP_IDX_VALUE,
        }
    }

    const fn from_field(src: u8) -> Option<Imm64Kind> {
        Some(match src {
            0 => Imm64Kind::Imm,
            PSEUDO_MAP_FD => Imm64Kind::MapFd,
            PSEUDO_MAP_VALUE => Imm64Kind::MapValue,
            PSEUDO_BTF_ID => Imm64Kind::BtfId,
            PSEUDO_FUNC => Imm64Kind::Func,
            PSEUDO_MAP_IDX => Imm64Kind::MapIdx,
            PSEUDO_MAP_IDX_VALUE => Imm64Kind::MapIdxValue,
            _ => return None,
        })
    }
}

/// What a `call` instruction calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CallTarget {
    /// src 0: a helper by id.
    Helper(i32),
    /// src 1: a bpf-to-bpf call; the value is relative to the next instruction.
    Local(i32),
    /// src 2: a kernel function by BTF id.
    Kfunc(i32),
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Insn {
    Alu {
        width: Width,
        op: AluOp,
        dst: Reg,
        src: Operand,
    },
    Neg {
        width: Width,
        dst: Reg,
    },
    /// Sign-extending move: `rD = (s8)rS`. `from_bits` is 8, 16 or 32 (32 only in 64-bit width).
    MovSx {
        width: Width,
        dst: Reg,
        src: Reg,
        from_bits: u8,
    },
    /// Arena pointer cast: `rD = addr_space_cast(rS, dst_as, src_as)`.
    AddrSpaceCast {
        dst: Reg,
        src: Reg,
        dst_as: u16,
        src_as: u16,
    },
    /// Byte swap of the low `bits` (16, 32 or 64) bits.
    Endian {
        kind: Endian,
        bits: u8,
        dst: Reg,
    },
    /// `ld_imm64`: two slots. `imm` holds `low | high << 32`.
    LdImm64 {
        dst: Reg,
        kind: Imm64Kind,
        imm: u64,
    },
    /// Legacy packet load `r0 = *(size *)skb[imm]`.
    LdAbs {
        size: Size,
        imm: i32,
    },
    /// Legacy packet load `r0 = *(size *)skb[src + imm]`.
    LdInd {
        size: Size,
        src: Reg,
        imm: i32,
    },
    Load {
        size: Size,
        /// Sign-extending (`BPF_MEMSX`) load.
        signed: bool,
        dst: Reg,
        src: Reg,
        off: i16,
    },
    StoreImm {
        size: Size,
        dst: Reg,
        off: i16,
        imm: i32,
    },
    StoreReg {
        size: Size,
        dst: Reg,
        off: i16,
        src: Reg,
    },
    Atomic {
        size: Size,
        op: AtomicOp,
        /// Whether the old value is written back to `src` (always for xchg and cmpxchg).
        fetch: bool,
        dst: Reg,
        off: i16,
        src: Reg,
    },
    /// `goto +off`.
    Ja {
        off: i16,
    },
    /// `gotol +imm`: the long jump of cpu v4 (JMP32 | JA, offset in imm).
    Gotol {
        imm: i32,
    },
    /// `may_goto +off`: jumps when the loop budget is exhausted, else falls through.
    MayGoto {
        off: i16,
    },
    Jump {
        width: Width,
        op: JmpOp,
        dst: Reg,
        src: Operand,
        off: i16,
    },
    Call(CallTarget),
    /// Indirect call through a register (not accepted by the kernel verifier; the conformance suite has it).
    Callx {
        reg: Reg,
    },
    Exit,
}

/// A field of an instruction slot, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Field {
    Dst,
    Src,
    Off,
    Imm,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Dst => "dst_reg",
            Field::Src => "src_reg",
            Field::Off => "off",
            Field::Imm => "imm",
        })
    }
}

/// Why a slot does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum DecodeError {
    #[error("unknown opcode {code:#04x}")]
    UnknownOpcode { code: u8 },
    #[error("opcode {code:#04x} uses reserved field {field} (value {value})")]
    ReservedField { code: u8, field: Field, value: i64 },
    #[error("opcode {code:#04x} has invalid {field} {value}")]
    InvalidField { code: u8, field: Field, value: i64 },
    #[error("invalid register r{reg} in {field}")]
    InvalidRegister { field: Field, reg: u8 },
    #[error("no instruction to decode")]
    NoInstruction,
    #[error("ld_imm64 is missing its second slot")]
    MissingSecondSlot,
    #[error("invalid second slot of ld_imm64: {reason}")]
    BadSecondSlot { reason: &'static str },
    #[error("{len} bytes is not a whole number of 8-byte instructions")]
    TrailingBytes { len: usize },
}

fn reg(field: Field, n: u8) -> Result<Reg, DecodeError> {
    Reg::new(n).ok_or(DecodeError::InvalidRegister { field, reg: n })
}

fn zero(code: u8, field: Field, value: i64) -> Result<(), DecodeError> {
    if value == 0 {
        Ok(())
    } else {
        Err(DecodeError::ReservedField { code, field, value })
    }
}

fn invalid(code: u8, field: Field, value: i64) -> DecodeError {
    DecodeError::InvalidField { code, field, value }
}

impl Insn {
    /// Number of 8-byte slots this instruction occupies.
    pub const fn slots(&self) -> usize {
        match self {
            Insn::LdImm64 { .. } => 2,
            _ => 1,
        }
    }

    /// Encodes into one or two slots, appended to `out`.
    pub fn encode_into(&self, out: &mut Vec<RawInsn>) {
        let w = |width: Width, c32: u8, c64: u8| if width == Width::W32 { c32 } else { c64 };
        let raw = match *self {
            Insn::Alu {
                width,
                op,
                dst,
                src,
            } => {
                let (opbits, off) = op.field();
                let class = w(width, CLASS_ALU, CLASS_ALU64);
                match src {
                    Operand::Reg(s) => RawInsn::new(opbits | SRC_X | class, dst.0, s.0, off, 0),
                    Operand::Imm(i) => RawInsn::new(opbits | SRC_K | class, dst.0, 0, off, i),
                }
            }
            Insn::Neg { width, dst } => {
                RawInsn::new(ALU_NEG | w(width, CLASS_ALU, CLASS_ALU64), dst.0, 0, 0, 0)
            }
            Insn::MovSx {
                width,
                dst,
                src,
                from_bits,
            } => RawInsn::new(
                ALU_MOV | SRC_X | w(width, CLASS_ALU, CLASS_ALU64),
                dst.0,
                src.0,
                from_bits as i16,
                0,
            ),
            Insn::AddrSpaceCast {
                dst,
                src,
                dst_as,
                src_as,
            } => RawInsn::new(
                ALU_MOV | SRC_X | CLASS_ALU64,
                dst.0,
                src.0,
                ADDR_SPACE_CAST_OFF,
                ((dst_as as u32) << 16 | src_as as u32) as i32,
            ),
            Insn::Endian { kind, bits, dst } => {
                let code = match kind {
                    Endian::Le => ALU_END | SRC_K | CLASS_ALU,
                    Endian::Be => ALU_END | SRC_X | CLASS_ALU,
                    Endian::Swap => ALU_END | CLASS_ALU64,
                };
                RawInsn::new(code, dst.0, 0, 0, bits as i32)
            }
            Insn::LdImm64 { dst, kind, imm } => {
                out.push(RawInsn::new(
                    CLASS_LD | MODE_IMM | SIZE_DW,
                    dst.0,
                    kind.field(),
                    0,
                    imm as u32 as i32,
                ));
                RawInsn::new(0, 0, 0, 0, (imm >> 32) as u32 as i32)
            }
            Insn::LdAbs { size, imm } => {
                RawInsn::new(CLASS_LD | MODE_ABS | size.field(), 0, 0, 0, imm)
            }
            Insn::LdInd { size, src, imm } => {
                RawInsn::new(CLASS_LD | MODE_IND | size.field(), 0, src.0, 0, imm)
            }
            Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            } => {
                let mode = if signed { MODE_MEMSX } else { MODE_MEM };
                RawInsn::new(CLASS_LDX | mode | size.field(), dst.0, src.0, off, 0)
            }
            Insn::StoreImm {
                size,
                dst,
                off,
                imm,
            } => RawInsn::new(CLASS_ST | MODE_MEM | size.field(), dst.0, 0, off, imm),
            Insn::StoreReg {
                size,
                dst,
                off,
                src,
            } => RawInsn::new(CLASS_STX | MODE_MEM | size.field(), dst.0, src.0, off, 0),
            Insn::Atomic {
                size,
                op,
                fetch,
                dst,
                off,
                src,
            } => {
                let imm = match op {
                    AtomicOp::Add => ALU_ADD as i32,
                    AtomicOp::Or => ALU_OR as i32,
                    AtomicOp::And => ALU_AND as i32,
                    AtomicOp::Xor => ALU_XOR as i32,
                    AtomicOp::Xchg => ATOMIC_XCHG,
                    AtomicOp::Cmpxchg => ATOMIC_CMPXCHG,
                } | if fetch { ATOMIC_FETCH } else { 0 };
                RawInsn::new(
                    CLASS_STX | MODE_ATOMIC | size.field(),
                    dst.0,
                    src.0,
                    off,
                    imm,
                )
            }
            Insn::Ja { off } => RawInsn::new(CLASS_JMP | JMP_JA, 0, 0, off, 0),
            Insn::Gotol { imm } => RawInsn::new(CLASS_JMP32 | JMP_JA, 0, 0, 0, imm),
            Insn::MayGoto { off } => RawInsn::new(CLASS_JMP | JMP_JCOND, 0, 0, off, 0),
            Insn::Jump {
                width,
                op,
                dst,
                src,
                off,
            } => {
                let class = w(width, CLASS_JMP32, CLASS_JMP);
                match src {
                    Operand::Reg(s) => RawInsn::new(op.field() | SRC_X | class, dst.0, s.0, off, 0),
                    Operand::Imm(i) => RawInsn::new(op.field() | SRC_K | class, dst.0, 0, off, i),
                }
            }
            Insn::Call(target) => {
                let (src, imm) = match target {
                    CallTarget::Helper(i) => (PSEUDO_CALL_HELPER, i),
                    CallTarget::Local(i) => (PSEUDO_CALL, i),
                    CallTarget::Kfunc(i) => (PSEUDO_KFUNC_CALL, i),
                };
                RawInsn::new(CLASS_JMP | JMP_CALL, 0, src, 0, imm)
            }
            Insn::Callx { reg } => RawInsn::new(CLASS_JMP | JMP_CALL | SRC_X, reg.0, 0, 0, 0),
            Insn::Exit => RawInsn::new(CLASS_JMP | JMP_EXIT, 0, 0, 0, 0),
        };
        out.push(raw);
    }

    /// Encodes into a fresh vector of one or two slots.
    pub fn encode(&self) -> Vec<RawInsn> {
        let mut v = Vec::with_capacity(2);
        self.encode_into(&mut v);
        v
    }

    /// Decodes the instruction starting at `slots[0]`; `ld_imm64` also reads `slots[1]`.
    pub fn decode(slots: &[RawInsn]) -> Result<Insn, DecodeError> {
        let Some(&s) = slots.first() else {
            return Err(DecodeError::NoInstruction);
        };
        let code = s.code;
        match class(code) {
            CLASS_ALU | CLASS_ALU64 => decode_alu(s),
            CLASS_JMP | CLASS_JMP32 => decode_jmp(s),
            CLASS_LD => decode_ld(s, slots.get(1).copied()),
            CLASS_LDX => {
                let signed = match code & 0xe0 {
                    MODE_MEM => false,
                    MODE_MEMSX if code & 0x18 != SIZE_DW => true,
                    _ => return Err(DecodeError::UnknownOpcode { code }),
                };
                zero(code, Field::Imm, s.imm as i64)?;
                Ok(Insn::Load {
                    size: Size::from_field(code),
                    signed,
                    dst: reg(Field::Dst, s.dst)?,
                    src: reg(Field::Src, s.src)?,
                    off: s.off,
                })
            }
            CLASS_ST => {
                if code & 0xe0 != MODE_MEM {
                    return Err(DecodeError::UnknownOpcode { code });
                }
                zero(code, Field::Src, s.src as i64)?;
                Ok(Insn::StoreImm {
                    size: Size::from_field(code),
                    dst: reg(Field::Dst, s.dst)?,
                    off: s.off,
                    imm: s.imm,
                })
            }
            _ => decode_stx(s),
        }
    }

    /// The absolute target of a jump at `pc`, if this is a jump (not for calls).
    pub fn jump_target(&self, pc: usize) -> Option<i64> {
        let rel = match *self {
            Insn::Ja { off } | Insn::MayGoto { off } | Insn::Jump { off, .. } => off as i64,
            Insn::Gotol { imm } => imm as i64,
            _ => return None,
        };
        Some(pc as i64 + 1 + rel)
    }

    /// The absolute first instruction of the function a local call or a `BPF_PSEUDO_FUNC`
    /// load at `pc` refers to.
    pub fn function_target(&self, pc: usize) -> Option<i64> {
        match *self {
            Insn::Call(CallTarget::Local(rel)) => Some(pc as i64 + 1 + rel as i64),
            Insn::LdImm64 {
                kind: Imm64Kind::Func,
                imm,
                ..
            } => Some(pc as i64 + 1 + imm as u32 as i32 as i64),
            _ => None,
        }
    }
}

fn decode_alu(s: RawInsn) -> Result<Insn, DecodeError> {
    let code = s.code;
    let width = if class(code) == CLASS_ALU {
        Width::W32
    } else {
        Width::W64
    };
    let dst = reg(Field::Dst, s.dst)?;
    let x = code & SRC_X != 0;
    let op = code & 0xf0;
    let operand = |s: RawInsn| -> Result<Operand, DecodeError> {
        if x {
            zero(code, Field::Imm, s.imm as i64)?;
            Ok(Operand::Reg(reg(Field::Src, s.src)?))
        } else {
            zero(code, Field::Src, s.src as i64)?;
            Ok(Operand::Imm(s.imm))
        }
    };
    let simple = |alu: AluOp| -> Result<Insn, DecodeError> {
        let (_, off) = alu.field();
        if s.off != off {
            return Err(invalid(code, Field::Off, s.off as i64));
        }
        Ok(Insn::Alu {
            width,
            op: alu,
            dst,
            src: operand(s)?,
        })
    };
    let signed_pair = |u: AluOp, sg: AluOp| match s.off {
        0 => simple(u),
        1 => simple(sg),
        other => Err(invalid(code, Field::Off, other as i64)),
    };
    match op {
        ALU_ADD => simple(AluOp::Add),
        ALU_SUB => simple(AluOp::Sub),
        ALU_MUL => simple(AluOp::Mul),
        ALU_DIV => signed_pair(AluOp::Div, AluOp::Sdiv),
        ALU_OR => simple(AluOp::Or),
        ALU_AND => simple(AluOp::And),
        ALU_LSH => simple(AluOp::Lsh),
        ALU_RSH => simple(AluOp::Rsh),
        ALU_MOD => signed_pair(AluOp::Mod, AluOp::Smod),
        ALU_XOR => simple(AluOp::Xor),
        ALU_ARSH => simple(AluOp::Arsh),
        ALU_NEG => {
            if x {
                return Err(DecodeError::UnknownOpcode { code });
            }
            zero(code, Field::Src, s.src as i64)?;
            zero(code, Field::Off, s.off as i64)?;
            zero(code, Field::Imm, s.imm as i64)?;
            Ok(Insn::Neg { width, dst })
        }
        ALU_MOV => match (x, s.off, width) {
            (_, 0, _) => simple(AluOp::Mov),
            (true, 8 | 16, _) | (true, 32, Width::W64) => {
                zero(code, Field::Imm, s.imm as i64)?;
                Ok(Insn::MovSx {
                    width,
                    dst,
                    src: reg(Field::Src, s.src)?,
                    from_bits: s.off as u8,
                })
            }
            (true, ADDR_SPACE_CAST_OFF, Width::W64) => Ok(Insn::AddrSpaceCast {
                dst,
                src: reg(Field::Src, s.src)?,
                dst_as: (s.imm as u32 >> 16) as u16,
                src_as: s.imm as u32 as u16,
            }),
            _ => Err(invalid(code, Field::Off, s.off as i64)),
        },
        ALU_END => {
            zero(code, Field::Src, s.src as i64)?;
            zero(code, Field::Off, s.off as i64)?;
            if !matches!(s.imm, 16 | 32 | 64) {
                return Err(invalid(code, Field::Imm, s.imm as i64));
            }
            let kind = match (width, x) {
                (Width::W32, false) => Endian::Le,
                (Width::W32, true) => Endian::Be,
                (Width::W64, false) => Endian::Swap,
                (Width::W64, true) => return Err(DecodeError::UnknownOpcode { code }),
            };
            Ok(Insn::Endian {
                kind,
                bits: s.imm as u8,
                dst,
            })
        }
        _ => Err(DecodeError::UnknownOpcode { code }),
    }
}

fn decode_jmp(s: RawInsn) -> Result<Insn, DecodeError> {
    let code = s.code;
    let jmp32 = class(code) == CLASS_JMP32;
    let x = code & SRC_X != 0;
    let op = code & 0xf0;
    let all_zero = |fields: &[(Field, i64)]| -> Result<(), DecodeError> {
        fields.iter().try_for_each(|&(f, v)| zero(code, f, v))
    };
    match op {
        JMP_JA if !x => {
            all_zero(&[(Field::Dst, s.dst as i64), (Field::Src, s.src as i64)])?;
            if jmp32 {
                zero(code, Field::Off, s.off as i64)?;
                Ok(Insn::Gotol { imm: s.imm })
            } else {
                zero(code, Field::Imm, s.imm as i64)?;
                Ok(Insn::Ja { off: s.off })
            }
        }
        JMP_CALL if !jmp32 => {
            if x {
                all_zero(&[
                    (Field::Src, s.src as i64),
                    (Field::Off, s.off as i64),
                    (Field::Imm, s.imm as i64),
                ])?;
                return Ok(Insn::Callx {
                    reg: reg(Field::Dst, s.dst)?,
                });
            }
            all_zero(&[(Field::Dst, s.dst as i64), (Field::Off, s.off as i64)])?;
            let target = match s.src {
                PSEUDO_CALL_HELPER => CallTarget::Helper(s.imm),
                PSEUDO_CALL => CallTarget::Local(s.imm),
                PSEUDO_KFUNC_CALL => CallTarget::Kfunc(s.imm),
                other => return Err(invalid(code, Field::Src, other as i64)),
            };
            Ok(Insn::Call(target))
        }
        JMP_EXIT if !jmp32 && !x => {
            all_zero(&[
                (Field::Dst, s.dst as i64),
                (Field::Src, s.src as i64),
                (Field::Off, s.off as i64),
                (Field::Imm, s.imm as i64),
            ])?;
            Ok(Insn::Exit)
        }
        JMP_JCOND if !jmp32 && !x => {
            // src 0 is BPF_MAY_GOTO, the only defined condition.
            all_zero(&[
                (Field::Dst, s.dst as i64),
                (Field::Src, s.src as i64),
                (Field::Imm, s.imm as i64),
            ])?;
            Ok(Insn::MayGoto { off: s.off })
        }
        _ => {
            let Some(jop) = JmpOp::from_field(op) else {
                return Err(DecodeError::UnknownOpcode { code });
            };
            let src = if x {
                zero(code, Field::Imm, s.imm as i64)?;
                Operand::Reg(reg(Field::Src, s.src)?)
            } else {
                zero(code, Field::Src, s.src as i64)?;
                Operand::Imm(s.imm)
            };
            Ok(Insn::Jump {
                width: if jmp32 { Width::W32 } else { Width::W64 },
                op: jop,
                dst: reg(Field::Dst, s.dst)?,
                src,
                off: s.off,
            })
        }
    }
}

fn decode_ld(s: RawInsn, next: Option<RawInsn>) -> Result<Insn, DecodeError> {
    let code = s.code;
    let size = Size::from_field(code);
    match code & 0xe0 {
        MODE_IMM if size == Size::DW => {
            zero(code, Field::Off, s.off as i64)?;
            let kind = Imm64Kind::from_field(s.src)
                .ok_or_else(|| invalid(code, Field::Src, s.src as i64))?;
            let dst = reg(Field::Dst, s.dst)?;
            let n = next.ok_or(DecodeError::MissingSecondSlot)?;
            if n.code != 0 || n.dst != 0 || n.src != 0 || n.off != 0 {
                return Err(DecodeError::BadSecondSlot {
                    reason: "only its imm field may be non-zero",
                });
            }
            // Only a constant and the map-value forms use the high half (kernel:
            // "unrecognized bpf_ld_imm64 insn" otherwise).
            let high_used = matches!(
                kind,
                Imm64Kind::Imm | Imm64Kind::MapValue | Imm64Kind::MapIdxValue
            );
            if !high_used && n.imm != 0 {
                return Err(DecodeError::BadSecondSlot {
                    reason: "this pseudo source leaves the second imm zero",
                });
            }
            let imm = (s.imm as u32 as u64) | ((n.imm as u32 as u64) << 32);
            Ok(Insn::LdImm64 { dst, kind, imm })
        }
        MODE_ABS if size != Size::DW => {
            zero(code, Field::Dst, s.dst as i64)?;
            zero(code, Field::Src, s.src as i64)?;
            zero(code, Field::Off, s.off as i64)?;
            Ok(Insn::LdAbs { size, imm: s.imm })
        }
        MODE_IND if size != Size::DW => {
            zero(code, Field::Dst, s.dst as i64)?;
            zero(code, Field::Off, s.off as i64)?;
            Ok(Insn::LdInd {
                size,
                src: reg(Field::Src, s.src)?,
                imm: s.imm,
            })
        }
        _ => Err(DecodeError::UnknownOpcode { code }),
    }
}

fn decode_stx(s: RawInsn) -> Result<Insn, DecodeError> {
    let code = s.code;
    let size = Size::from_field(code);
    let dst = reg(Field::Dst, s.dst)?;
    let src = reg(Field::Src, s.src)?;
    match code & 0xe0 {
        MODE_MEM => {
            zero(code, Field::Imm, s.imm as i64)?;
            Ok(Insn::StoreReg {
                size,
                dst,
                off: s.off,
                src,
            })
        }
        MODE_ATOMIC if matches!(size, Size::W | Size::DW) => {
            let fetch = s.imm & ATOMIC_FETCH != 0;
            let op = match (s.imm & !ATOMIC_FETCH, fetch) {
                (x, _) if x == ALU_ADD as i32 => AtomicOp::Add,
                (x, _) if x == ALU_OR as i32 => AtomicOp::Or,
                (x, _) if x == ALU_AND as i32 => AtomicOp::And,
                (x, _) if x == ALU_XOR as i32 => AtomicOp::Xor,
                (x, true) if x == ATOMIC_XCHG & !ATOMIC_FETCH => AtomicOp::Xchg,
                (x, true) if x == ATOMIC_CMPXCHG & !ATOMIC_FETCH => AtomicOp::Cmpxchg,
                _ => return Err(invalid(code, Field::Imm, s.imm as i64)),
            };
            Ok(Insn::Atomic {
                size,
                op,
                fetch,
                dst,
                off: s.off,
                src,
            })
        }
        _ => Err(DecodeError::UnknownOpcode { code }),
    }
}
