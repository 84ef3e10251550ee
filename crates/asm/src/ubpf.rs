//! The uBPF/rbpf dialect used by the BPF conformance suite: `mov %r0, 1`, `ldxb %r0, [%r1+2]`,
//! `jne %r0, 15, fail`, `call local func1`, `lock fetch add [%r10-8], %r1` (`%` is optional).

use unwind_isa::{
    AluOp, AtomicOp, CallTarget, Endian, Imm64Kind, Insn, JmpOp, Operand, Reg, Size, Width,
};

use crate::cursor::{Cursor, Fixup, PResult};
use crate::diagnostic::{expected, AsmError};
use crate::pseudo_c::target;

/// Mnemonic stems that identify the dialect (used by syntax detection).
pub(crate) fn is_mnemonic(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    split_width(&w).0.parse_alu().is_some()
        || matches!(
            w.as_str(),
            "lddw" | "ja" | "ja32" | "lock" | "callx" | "neg" | "neg32" | "neg64"
        )
        || endian(&w).is_some()
        || movsx(&w).is_some()
        || mem_size(&w, "ldx").is_some()
        || mem_size(&w, "ldxs").is_some()
        || mem_size(&w, "st").is_some()
        || mem_size(&w, "stx").is_some()
        || mem_size(&w, "ldabs").is_some()
        || mem_size(&w, "ldind").is_some()
        || jmp(&w).is_some()
}

trait AluName {
    fn parse_alu(&self) -> Option<AluOp>;
}

impl AluName for &str {
    fn parse_alu(&self) -> Option<AluOp> {
        Some(match *self {
            "add" => AluOp::Add,
            "sub" => AluOp::Sub,
            "mul" => AluOp::Mul,
            "div" => AluOp::Div,
            "sdiv" => AluOp::Sdiv,
            "or" => AluOp::Or,
            "and" => AluOp::And,
            "lsh" => AluOp::Lsh,
            "rsh" => AluOp::Rsh,
            "mod" => AluOp::Mod,
            "smod" => AluOp::Smod,
            "xor" => AluOp::Xor,
            "mov" => AluOp::Mov,
            "arsh" => AluOp::Arsh,
            _ => return None,
        })
    }
}

/// `add32` -> (`add`, 32-bit); `add64` and `add` -> 64-bit.
fn split_width(w: &str) -> (&str, Width) {
    if let Some(s) = w.strip_suffix("32") {
        (s, Width::W32)
    } else if let Some(s) = w.strip_suffix("64") {
        (s, Width::W64)
    } else {
        (w, Width::W64)
    }
}

fn endian(w: &str) -> Option<(Endian, u8)> {
    let (kind, bits) = if let Some(b) = w.strip_prefix("le") {
        (Endian::Le, b)
    } else if let Some(b) = w.strip_prefix("be") {
        (Endian::Be, b)
    } else if let Some(b) = w.strip_prefix("bswap").or_else(|| w.strip_prefix("swap")) {
        (Endian::Swap, b)
    } else {
        return None;
    };
    match bits {
        "16" => Some((kind, 16)),
        "32" => Some((kind, 32)),
        "64" => Some((kind, 64)),
        _ => None,
    }
}

/// `movsx864` -> (8 bits, 64-bit width).
fn movsx(w: &str) -> Option<(u8, Width)> {
    Some(match w.strip_prefix("movsx")? {
        "832" => (8, Width::W32),
        "1632" => (16, Width::W32),
        "864" => (8, Width::W64),
        "1664" => (16, Width::W64),
        "3264" => (32, Width::W64),
        _ => return None,
    })
}

fn mem_size(w: &str, prefix: &str) -> Option<Size> {
    Some(match w.strip_prefix(prefix)? {
        "b" => Size::B,
        "h" => Size::H,
        "w" => Size::W,
        "dw" => Size::DW,
        _ => return None,
    })
}

fn jmp(w: &str) -> Option<(JmpOp, Width)> {
    let (stem, width) = split_width(w);
    let op = JmpOp::ALL.into_iter().find(|op| op.mnemonic() == stem)?;
    Some((op, width))
}

pub(crate) fn insn(c: &mut Cursor) -> PResult<(Insn, Option<Fixup>)> {
    let t = c.ident("an instruction")?;
    let w = t.text.to_ascii_lowercase();
    let unknown = || {
        c.error_at(
            t,
            AsmError::UnknownInstruction {
                found: format!("'{}'", t.text),
            },
        )
    };
    let result = if w == "exit" {
        (Insn::Exit, None)
    } else if w == "ja" {
        (Insn::Ja { off: 0 }, Some(Fixup::Jump(target(c)?)))
    } else if w == "ja32" {
        (Insn::Gotol { imm: 0 }, Some(Fixup::Jump(target(c)?)))
    } else if w == "call" || w == "callx" {
        call(c)?
    } else if w == "lock" {
        (lock(c)?, None)
    } else if w == "lddw" {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let v = c.int_in("immediate", i64::MIN as i128, u64::MAX as i128)?;
        (
            Insn::LdImm64 {
                dst,
                kind: Imm64Kind::Imm,
                imm: v as u64,
            },
            None,
        )
    } else if let Some(width) = match w.as_str() {
        "neg" | "neg64" => Some(Width::W64),
        "neg32" => Some(Width::W32),
        _ => None,
    } {
        let (dst, _) = c.reg()?;
        (Insn::Neg { width, dst }, None)
    } else if let Some((kind, bits)) = endian(&w) {
        let (dst, _) = c.reg()?;
        (Insn::Endian { kind, bits, dst }, None)
    } else if let Some((from_bits, width)) = movsx(&w) {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let (src, _) = c.reg()?;
        (
            Insn::MovSx {
                width,
                dst,
                src,
                from_bits,
            },
            None,
        )
    } else if let Some((op, width)) = jmp(&w) {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let src = operand(c)?;
        c.expect(",")?;
        let t = target(c)?;
        (
            Insn::Jump {
                width,
                op,
                dst,
                src,
                off: 0,
            },
            Some(Fixup::Jump(t)),
        )
    } else if let (Some(op), width) = {
        let (stem, width) = split_width(&w);
        (stem.parse_alu(), width)
    } {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let src = operand(c)?;
        (
            Insn::Alu {
                width,
                op,
                dst,
                src,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "ldxs") {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let (src, off) = mem(c)?;
        (
            Insn::Load {
                size,
                signed: true,
                dst,
                src,
                off,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "ldx") {
        let (dst, _) = c.reg()?;
        c.expect(",")?;
        let (src, off) = mem(c)?;
        (
            Insn::Load {
                size,
                signed: false,
                dst,
                src,
                off,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "stx") {
        let (dst, off) = mem(c)?;
        c.expect(",")?;
        let (src, _) = c.reg()?;
        (
            Insn::StoreReg {
                size,
                dst,
                off,
                src,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "st") {
        let (dst, off) = mem(c)?;
        c.expect(",")?;
        let imm = c.imm32()?;
        (
            Insn::StoreImm {
                size,
                dst,
                off,
                imm,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "ldabs") {
        (
            Insn::LdAbs {
                size,
                imm: c.imm32()?,
            },
            None,
        )
    } else if let Some(size) = mem_size(&w, "ldind") {
        let (src, _) = c.reg()?;
        c.expect(",")?;
        (
            Insn::LdInd {
                size,
                src,
                imm: c.imm32()?,
            },
            None,
        )
    } else {
        return Err(unknown());
    };
    c.expect_end()?;
    Ok(result)
}

fn operand(c: &mut Cursor) -> PResult<Operand> {
    if c.peek_reg().is_some() {
        Ok(Operand::Reg(c.reg()?.0))
    } else if c.peek_int() {
        Ok(Operand::Imm(c.imm32()?))
    } else {
        Err(c.expected("a register or an immediate"))
    }
}

/// `[%r1+0x2]`, `[%r10-8]`, `[%r1]`.
fn mem(c: &mut Cursor) -> PResult<(Reg, i16)> {
    c.expect("[")?;
    let (base, _) = c.reg()?;
    let off = if c.peek_is("+") || c.peek_is("-") {
        c.off16()?
    } else {
        0
    };
    c.expect("]")?;
    Ok((base, off))
}

fn call(c: &mut Cursor) -> PResult<(Insn, Option<Fixup>)> {
    if c.peek_reg().is_some() {
        let (reg, _) = c.reg()?;
        return Ok((Insn::Callx { reg }, None));
    }
    if c.peek_is("local") {
        c.next();
        let t = target(c)?;
        return Ok((Insn::Call(CallTarget::Local(0)), Some(Fixup::CallLocal(t))));
    }
    if c.peek_is("runtime") {
        c.next();
        return Ok((Insn::Call(CallTarget::Kfunc(c.imm32()?)), None));
    }
    if c.peek_int() {
        return Ok((Insn::Call(CallTarget::Helper(c.imm32()?)), None));
    }
    let t = c.ident("a helper number, 'local LABEL' or a register")?;
    let span = unwind_program::Span::new(c.line.number, t.col, t.end);
    Ok((
        Insn::Call(CallTarget::Helper(0)),
        Some(Fixup::CallName(t.text.clone(), span)),
    ))
}

/// `lock [fetch] add[32] [%r10-8], %r1`, `lock xchg[32] ...`, `lock cmpxchg[32] ...`.
fn lock(c: &mut Cursor) -> PResult<Insn> {
    let fetch_word = c.eat("fetch");
    let t = c.ident("add, and, or, xor, xchg or cmpxchg")?;
    let lower = t.text.to_ascii_lowercase();
    let (stem, width) = split_width(&lower);
    let size = if width == Width::W32 {
        Size::W
    } else {
        Size::DW
    };
    let (op, fetch) = match stem {
        "add" => (AtomicOp::Add, fetch_word),
        "and" => (AtomicOp::And, fetch_word),
        "or" => (AtomicOp::Or, fetch_word),
        "xor" => (AtomicOp::Xor, fetch_word),
        "xchg" => (AtomicOp::Xchg, true),
        "cmpxchg" => (AtomicOp::Cmpxchg, true),
        other => {
            return Err(c.error_at(
                t,
                expected("add, and, or, xor, xchg or cmpxchg", format!("'{other}'")),
            ))
        }
    };
    let (dst, off) = mem(c)?;
    c.expect(",")?;
    let (src, _) = c.reg()?;
    Ok(Insn::Atomic {
        size,
        op,
        fetch,
        dst,
        off,
        src,
    })
}
