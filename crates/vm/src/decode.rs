//! The pre-decoded program the interpreter runs: one fixed-size `Op` per pc, with jump
//! targets made absolute and checked once, operands in the form each operation wants, and a
//! sentinel after the last pc (running off the end is a fault, not an out-of-range index).
//! Anything unusual (an invalid slot, a jump whose target is not an instruction, a write to
//! R10) gets its own kind that faults when executed, so the hot loop never re-checks.

use unwind_isa::{
    AluOp, AtomicOp, CallTarget, Endian, Imm64Kind, Insn, JmpOp, Operand, Size, Slot, Width,
};
use unwind_program::Program;

/// Operation kinds of the interpreter. `I` = immediate operand, `R` = register operand.
#[rustfmt::skip]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum K {
    Add64I, Add64R, Sub64I, Sub64R, Mul64I, Mul64R, Div64I, Div64R, Sdiv64I, Sdiv64R,
    Or64I, Or64R, And64I, And64R, Lsh64I, Lsh64R, Rsh64I, Rsh64R, Mod64I, Mod64R,
    Smod64I, Smod64R, Xor64I, Xor64R, Mov64I, Mov64R, Arsh64I, Arsh64R,
    Add32I, Add32R, Sub32I, Sub32R, Mul32I, Mul32R, Div32I, Div32R, Sdiv32I, Sdiv32R,
    Or32I, Or32R, And32I, And32R, Lsh32I, Lsh32R, Rsh32I, Rsh32R, Mod32I, Mod32R,
    Smod32I, Smod32R, Xor32I, Xor32R, Mov32I, Mov32R, Arsh32I, Arsh32R,
    Neg64, Neg32,
    /// aux = 8, 16 or 32.
    MovSx64, MovSx32,
    /// aux = bits.
    Le, Be, Bswap,
    /// imm = the value.
    LdImm64,
    /// imm = map index (`BPF_PSEUDO_MAP_FD`/`_IDX`).
    LdMap,
    /// imm = map index, off = offset into the value (`BPF_PSEUDO_MAP_VALUE`/`_IDX_VALUE`).
    LdMapValue,
    /// aux = size in bytes; LdInd adds src.
    LdAbs, LdInd,
    LdxB, LdxH, LdxW, LdxDW, LdxSB, LdxSH, LdxSW,
    StB, StH, StW, StDW, StxB, StxH, StxW, StxDW,
    /// aux = size in bytes, imm = the atomic operation (with the fetch bit).
    Atomic,
    /// off = absolute target.
    Ja,
    JeqI, JeqR, JneI, JneR, JgtI, JgtR, JgeI, JgeR, JltI, JltR, JleI, JleR,
    JsgtI, JsgtR, JsgeI, JsgeR, JsltI, JsltR, JsleI, JsleR, JsetI, JsetR,
    Jeq32I, Jeq32R, Jne32I, Jne32R, Jgt32I, Jgt32R, Jge32I, Jge32R, Jlt32I, Jlt32R,
    Jle32I, Jle32R, Jsgt32I, Jsgt32R, Jsge32I, Jsge32R, Jslt32I, Jslt32R, Jsle32I, Jsle32R,
    Jset32I, Jset32R,
    /// off = absolute target.
    MayGoto,
    /// imm = helper id, off = its index in the catalogue or -1.
    CallHelper,
    /// imm = BTF id, off = its index in the catalogue or -1.
    CallKfunc,
    /// off = absolute target (a function start), imm = the function's index, aux = its
    /// callee-saved mask.
    CallLocal,
    /// dst = the register holding the target.
    Callx,
    Exit,
    /// A jump or call whose target is not an instruction: imm = the target.
    BadTarget,
    /// An instruction that writes R10.
    WritesFp,
    /// Decodes but is not modelled (`addr_space_cast`, `ld_imm64` of a kernel symbol).
    Unsupported,
    /// Does not decode (or is the second half of an `ld_imm64`).
    Invalid,
    /// After the last pc.
    FellOff,
    /// A breakpoint, only in the debugger's copy of the ops (`Vm`): the loop stops before
    /// it. The instruction it covers stays in `Prepared::ops`.
    Break,
}

/// One pre-decoded instruction (16 bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub kind: K,
    pub dst: u8,
    pub src: u8,
    pub aux: u8,
    /// Memory offset, or an absolute jump target.
    pub off: i32,
    pub imm: i64,
}

impl Op {
    pub(crate) const fn new(kind: K) -> Op {
        Op {
            kind,
            dst: 0,
            src: 0,
            aux: 0,
            off: 0,
            imm: 0,
        }
    }
}

/// A function as the interpreter needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// The callee-saved registers its prologue saves (bit 0 = R6).
    pub callee_saved: u8,
    /// A hidden function the loader added (the `bpf_throw` trampoline): it may take the frame
    /// past the verifier's limit, which counts the program's own calls.
    pub hidden: bool,
}

/// A program ready to run.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub program: Program,
    pub(crate) ops: Vec<Op>,
    pub funcs: Vec<FuncInfo>,
    /// The source line of each pc.
    pub lines: Vec<u32>,
    /// The decoded slots (for messages and snapshots).
    pub slots: Vec<Slot>,
}

impl Prepared {
    pub fn new(program: &Program) -> Prepared {
        let slots = program.decode();
        let n = slots.len();
        let is_insn =
            |t: i64| t >= 0 && (t as usize) < n && matches!(slots[t as usize], Slot::Insn(_));
        let starts: Vec<usize> = program.functions.iter().map(|f| f.start).collect();
        let mut ops = Vec::with_capacity(n + 1);
        for (pc, slot) in slots.iter().enumerate() {
            let op = match slot {
                Slot::Insn(insn) => lower(insn, pc, &is_insn, &starts),
                _ => Op::new(K::Invalid),
            };
            ops.push(op);
        }
        ops.push(Op::new(K::FellOff));
        let mut funcs: Vec<FuncInfo> = program
            .functions
            .iter()
            .map(|f| FuncInfo {
                name: f.name.clone(),
                start: f.start,
                end: f.end,
                callee_saved: program
                    .callee_saved_used(f)
                    .iter()
                    .enumerate()
                    .fold(0u8, |m, (k, &used)| m | (u8::from(used) << k)),
                hidden: f.linkage == unwind_program::Linkage::Hidden,
            })
            .collect();
        if funcs.is_empty() {
            funcs.push(FuncInfo {
                name: "main".into(),
                start: 0,
                end: n,
                callee_saved: 0,
                hidden: false,
            });
        }
        // A local call carries its callee's callee-saved mask, so the loop's call reads only
        // its op.
        for op in ops.iter_mut().filter(|op| op.kind == K::CallLocal) {
            op.aux = funcs.get(op.imm as usize).map_or(0, |f| f.callee_saved);
        }
        let lines = (0..n)
            .map(|pc| program.spans.get(pc).map_or(0, |s| s.line))
            .collect();
        Prepared {
            program: program.clone(),
            ops,
            funcs,
            lines,
            slots,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn line(&self, pc: usize) -> u32 {
        self.lines.get(pc).copied().unwrap_or(0)
    }

    /// The index of the function containing `pc`.
    pub fn func_index(&self, pc: usize) -> usize {
        self.funcs
            .iter()
            .position(|f| (f.start..f.end).contains(&pc))
            .unwrap_or(0)
    }

    /// The index of the function starting exactly at `pc`.
    pub fn func_starting_at(&self, pc: usize) -> Option<usize> {
        self.funcs.iter().position(|f| f.start == pc)
    }
}

fn writes(insn: &Insn) -> Option<u8> {
    match insn {
        Insn::Alu { dst, .. }
        | Insn::Neg { dst, .. }
        | Insn::MovSx { dst, .. }
        | Insn::AddrSpaceCast { dst, .. }
        | Insn::Endian { dst, .. }
        | Insn::LdImm64 { dst, .. }
        | Insn::Load { dst, .. } => Some(dst.index()),
        Insn::Atomic {
            src,
            fetch: true,
            op,
            ..
        } if *op != AtomicOp::Cmpxchg => Some(src.index()),
        _ => None,
    }
}

fn lower(insn: &Insn, pc: usize, is_insn: &dyn Fn(i64) -> bool, starts: &[usize]) -> Op {
    if writes(insn) == Some(10) {
        return Op::new(K::WritesFp);
    }
    let target_op = |kind: K, t: i64| {
        if is_insn(t) {
            Op {
                off: t as i32,
                ..Op::new(kind)
            }
        } else {
            Op {
                imm: t,
                ..Op::new(K::BadTarget)
            }
        }
    };
    match *insn {
        Insn::Alu {
            width,
            op,
            dst,
            src,
        } => {
            let (reg, imm) = match src {
                Operand::Reg(r) => (true, (r.index(), 0)),
                Operand::Imm(i) => (false, (0, i as i64)),
            };
            let base = match (width, op) {
                (Width::W64, AluOp::Add) => K::Add64I,
                (Width::W64, AluOp::Sub) => K::Sub64I,
                (Width::W64, AluOp::Mul) => K::Mul64I,
                (Width::W64, AluOp::Div) => K::Div64I,
                (Width::W64, AluOp::Sdiv) => K::Sdiv64I,
                (Width::W64, AluOp::Or) => K::Or64I,
                (Width::W64, AluOp::And) => K::And64I,
                (Width::W64, AluOp::Lsh) => K::Lsh64I,
                (Width::W64, AluOp::Rsh) => K::Rsh64I,
                (Width::W64, AluOp::Mod) => K::Mod64I,
                (Width::W64, AluOp::Smod) => K::Smod64I,
                (Width::W64, AluOp::Xor) => K::Xor64I,
                (Width::W64, AluOp::Mov) => K::Mov64I,
                (Width::W64, AluOp::Arsh) => K::Arsh64I,
                (Width::W32, AluOp::Add) => K::Add32I,
                (Width::W32, AluOp::Sub) => K::Sub32I,
                (Width::W32, AluOp::Mul) => K::Mul32I,
                (Width::W32, AluOp::Div) => K::Div32I,
                (Width::W32, AluOp::Sdiv) => K::Sdiv32I,
                (Width::W32, AluOp::Or) => K::Or32I,
                (Width::W32, AluOp::And) => K::And32I,
                (Width::W32, AluOp::Lsh) => K::Lsh32I,
                (Width::W32, AluOp::Rsh) => K::Rsh32I,
                (Width::W32, AluOp::Mod) => K::Mod32I,
                (Width::W32, AluOp::Smod) => K::Smod32I,
                (Width::W32, AluOp::Xor) => K::Xor32I,
                (Width::W32, AluOp::Mov) => K::Mov32I,
                (Width::W32, AluOp::Arsh) => K::Arsh32I,
            };
            Op {
                dst: dst.index(),
                src: imm.0,
                imm: imm.1,
                ..Op::new(if reg { next(base) } else { base })
            }
        }
        Insn::Neg { width, dst } => Op {
            dst: dst.index(),
            ..Op::new(if width == Width::W64 {
                K::Neg64
            } else {
                K::Neg32
            })
        },
        Insn::MovSx {
            width,
            dst,
            src,
            from_bits,
        } => Op {
            dst: dst.index(),
            src: src.index(),
            aux: from_bits,
            ..Op::new(if width == Width::W64 {
                K::MovSx64
            } else {
                K::MovSx32
            })
        },
        Insn::AddrSpaceCast { .. } => Op::new(K::Unsupported),
        Insn::Endian { kind, bits, dst } => Op {
            dst: dst.index(),
            aux: bits,
            ..Op::new(match kind {
                Endian::Le => K::Le,
                Endian::Be => K::Be,
                Endian::Swap => K::Bswap,
            })
        },
        Insn::LdImm64 { dst, kind, imm } => {
            let d = dst.index();
            match kind {
                Imm64Kind::Imm => Op {
                    dst: d,
                    imm: imm as i64,
                    ..Op::new(K::LdImm64)
                },
                Imm64Kind::MapFd | Imm64Kind::MapIdx => Op {
                    dst: d,
                    imm: imm as u32 as i64,
                    ..Op::new(K::LdMap)
                },
                Imm64Kind::MapValue | Imm64Kind::MapIdxValue => Op {
                    dst: d,
                    imm: imm as u32 as i64,
                    off: (imm >> 32) as u32 as i32,
                    ..Op::new(K::LdMapValue)
                },
                Imm64Kind::Func => {
                    let t = insn.function_target(pc).unwrap_or(-1);
                    if t >= 0 && starts.contains(&(t as usize)) {
                        Op {
                            dst: d,
                            imm: crate::memory::addr(crate::machine::CODE_REGION, t as u32) as i64,
                            ..Op::new(K::LdImm64)
                        }
                    } else {
                        Op {
                            imm: t,
                            ..Op::new(K::BadTarget)
                        }
                    }
                }
                Imm64Kind::BtfId => Op::new(K::Unsupported),
            }
        }
        Insn::LdAbs { size, imm } => Op {
            aux: size.bytes() as u8,
            imm: imm as i64,
            ..Op::new(K::LdAbs)
        },
        Insn::LdInd { size, src, imm } => Op {
            src: src.index(),
            aux: size.bytes() as u8,
            imm: imm as i64,
            ..Op::new(K::LdInd)
        },
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } => Op {
            dst: dst.index(),
            src: src.index(),
            off: off as i32,
            ..Op::new(match (size, signed) {
                (Size::B, false) => K::LdxB,
                (Size::H, false) => K::LdxH,
                (Size::W, false) => K::LdxW,
                (Size::DW, _) => K::LdxDW,
                (Size::B, true) => K::LdxSB,
                (Size::H, true) => K::LdxSH,
                (Size::W, true) => K::LdxSW,
            })
        },
        Insn::StoreImm {
            size,
            dst,
            off,
            imm,
        } => Op {
            dst: dst.index(),
            off: off as i32,
            imm: imm as i64,
            ..Op::new(match size {
                Size::B => K::StB,
                Size::H => K::StH,
                Size::W => K::StW,
                Size::DW => K::StDW,
            })
        },
        Insn::StoreReg {
            size,
            dst,
            off,
            src,
        } => Op {
            dst: dst.index(),
            src: src.index(),
            off: off as i32,
            ..Op::new(match size {
                Size::B => K::StxB,
                Size::H => K::StxH,
                Size::W => K::StxW,
                Size::DW => K::StxDW,
            })
        },
        Insn::Atomic {
            size,
            op,
            fetch,
            dst,
            off,
            src,
        } => {
            let code = match op {
                AtomicOp::Add => 0x00,
                AtomicOp::Or => 0x40,
                AtomicOp::And => 0x50,
                AtomicOp::Xor => 0xa0,
                AtomicOp::Xchg => 0xe0,
                AtomicOp::Cmpxchg => 0xf0,
            } | fetch as i64;
            Op {
                dst: dst.index(),
                src: src.index(),
                aux: size.bytes() as u8,
                off: off as i32,
                imm: code,
                ..Op::new(K::Atomic)
            }
        }
        Insn::Ja { .. } | Insn::Gotol { .. } => {
            target_op(K::Ja, insn.jump_target(pc).unwrap_or(-1))
        }
        Insn::MayGoto { .. } => target_op(K::MayGoto, insn.jump_target(pc).unwrap_or(-1)),
        Insn::Jump {
            width,
            op,
            dst,
            src,
            ..
        } => {
            let base = match (width, op) {
                (Width::W64, JmpOp::Eq) => K::JeqI,
                (Width::W64, JmpOp::Ne) => K::JneI,
                (Width::W64, JmpOp::Gt) => K::JgtI,
                (Width::W64, JmpOp::Ge) => K::JgeI,
                (Width::W64, JmpOp::Lt) => K::JltI,
                (Width::W64, JmpOp::Le) => K::JleI,
                (Width::W64, JmpOp::Sgt) => K::JsgtI,
                (Width::W64, JmpOp::Sge) => K::JsgeI,
                (Width::W64, JmpOp::Slt) => K::JsltI,
                (Width::W64, JmpOp::Sle) => K::JsleI,
                (Width::W64, JmpOp::Set) => K::JsetI,
                (Width::W32, JmpOp::Eq) => K::Jeq32I,
                (Width::W32, JmpOp::Ne) => K::Jne32I,
                (Width::W32, JmpOp::Gt) => K::Jgt32I,
                (Width::W32, JmpOp::Ge) => K::Jge32I,
                (Width::W32, JmpOp::Lt) => K::Jlt32I,
                (Width::W32, JmpOp::Le) => K::Jle32I,
                (Width::W32, JmpOp::Sgt) => K::Jsgt32I,
                (Width::W32, JmpOp::Sge) => K::Jsge32I,
                (Width::W32, JmpOp::Slt) => K::Jslt32I,
                (Width::W32, JmpOp::Sle) => K::Jsle32I,
                (Width::W32, JmpOp::Set) => K::Jset32I,
            };
            let (kind, s, imm) = match src {
                Operand::Reg(r) => (next(base), r.index(), 0),
                Operand::Imm(i) => (base, 0, i as i64),
            };
            let mut op = target_op(kind, insn.jump_target(pc).unwrap_or(-1));
            op.dst = dst.index();
            op.src = s;
            if op.kind != K::BadTarget {
                op.imm = imm;
            }
            op
        }
        // off: the catalogue entry (index into `FUNCS`), or -1, resolved once here.
        Insn::Call(CallTarget::Helper(id)) => Op {
            imm: id as i64,
            off: catalogue_index(unwind_kernel::FuncKind::Helper(id)),
            ..Op::new(K::CallHelper)
        },
        Insn::Call(CallTarget::Kfunc(id)) => Op {
            imm: id as i64,
            off: catalogue_index(unwind_kernel::FuncKind::Kfunc(id)),
            ..Op::new(K::CallKfunc)
        },
        Insn::Call(CallTarget::Local(_)) => {
            let t = insn.function_target(pc).unwrap_or(-1);
            match starts.iter().position(|&s| s as i64 == t) {
                // imm: the callee's index among the functions.
                Some(f) => Op {
                    off: t as i32,
                    imm: f as i64,
                    ..Op::new(K::CallLocal)
                },
                None => Op {
                    imm: t,
                    ..Op::new(K::BadTarget)
                },
            }
        }
        Insn::Callx { reg } => Op {
            dst: reg.index(),
            ..Op::new(K::Callx)
        },
        Insn::Exit => Op::new(K::Exit),
    }
}

fn catalogue_index(kind: unwind_kernel::FuncKind) -> i32 {
    unwind_kernel::FUNCS
        .iter()
        .position(|f| f.kind == kind)
        .map_or(-1, |i| i as i32)
}

/// The register-operand kind that follows each immediate kind.
fn next(k: K) -> K {
    // SAFETY-free: kinds come in (I, R) pairs; transmute-free lookup by discriminant.
    ALL_KINDS[k as usize + 1]
}

macro_rules! all_kinds {
    ($($k:ident),* $(,)?) => {
        const ALL_KINDS: &[K] = &[$(K::$k),*];
    };
}

#[rustfmt::skip]
all_kinds!(
    Add64I, Add64R, Sub64I, Sub64R, Mul64I, Mul64R, Div64I, Div64R, Sdiv64I, Sdiv64R,
    Or64I, Or64R, And64I, And64R, Lsh64I, Lsh64R, Rsh64I, Rsh64R, Mod64I, Mod64R,
    Smod64I, Smod64R, Xor64I, Xor64R, Mov64I, Mov64R, Arsh64I, Arsh64R,
    Add32I, Add32R, Sub32I, Sub32R, Mul32I, Mul32R, Div32I, Div32R, Sdiv32I, Sdiv32R,
    Or32I, Or32R, And32I, And32R, Lsh32I, Lsh32R, Rsh32I, Rsh32R, Mod32I, Mod32R,
    Smod32I, Smod32R, Xor32I, Xor32R, Mov32I, Mov32R, Arsh32I, Arsh32R,
    Neg64, Neg32, MovSx64, MovSx32, Le, Be, Bswap, LdImm64, LdMap, LdMapValue, LdAbs, LdInd,
    LdxB, LdxH, LdxW, LdxDW, LdxSB, LdxSH, LdxSW, StB, StH, StW, StDW, StxB, StxH, StxW, StxDW,
    Atomic, Ja,
    JeqI, JeqR, JneI, JneR, JgtI, JgtR, JgeI, JgeR, JltI, JltR, JleI, JleR,
    JsgtI, JsgtR, JsgeI, JsgeR, JsltI, JsltR, JsleI, JsleR, JsetI, JsetR,
    Jeq32I, Jeq32R, Jne32I, Jne32R, Jgt32I, Jgt32R, Jge32I, Jge32R, Jlt32I, Jlt32R,
    Jle32I, Jle32R, Jsgt32I, Jsgt32R, Jsge32I, Jsge32R, Jslt32I, Jslt32R, Jsle32I, Jsle32R,
    Jset32I, Jset32R,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_table_matches_the_enum() {
        for (i, k) in ALL_KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?}");
        }
        assert_eq!(next(K::Add64I), K::Add64R);
        assert_eq!(next(K::Jset32I), K::Jset32R);
        assert_eq!(std::mem::size_of::<Op>(), 16);
    }
}
