//! The LLVM/kernel pseudo-C syntax (SPEC §2), including the forms the kernel verifier log
//! prints (`goto pc+3`, `(r10 -8)`, `atomic64_fetch_add`, `call bpf_throw#N`).

use unwind_isa::{
    AluOp, AtomicOp, CallTarget, Endian, Imm64Kind, Insn, JmpOp, Operand, Reg, Size, Width,
};

use crate::cursor::{parse_size_type, Cursor, Fixup, PResult, Target};
use crate::diagnostic::{expected, AsmError};
use crate::lexer::Kind;

/// Opcode byte of `ld_imm64`, as a pasted log line shows it: `(18) r1 = 0x...` has no `ll`.
const LD_IMM64_OPCODE: u8 = 0x18;

pub(crate) fn insn(c: &mut Cursor, log_opcode: Option<u8>) -> PResult<(Insn, Option<Fixup>)> {
    let Some(first) = c.peek() else {
        return Err(c.expected("an instruction"));
    };
    let result = match first.text.as_str() {
        "exit" => {
            c.next();
            (Insn::Exit, None)
        }
        "goto" | "ja" => {
            c.next();
            let t = target(c)?;
            (Insn::Ja { off: 0 }, Some(Fixup::Jump(t)))
        }
        "gotol" => {
            c.next();
            let t = target(c)?;
            (Insn::Gotol { imm: 0 }, Some(Fixup::Jump(t)))
        }
        "may_goto" => {
            c.next();
            let t = target(c)?;
            (Insn::MayGoto { off: 0 }, Some(Fixup::Jump(t)))
        }
        "call" => {
            c.next();
            call(c)?
        }
        "callx" => {
            c.next();
            let (reg, _) = c.reg()?;
            (Insn::Callx { reg }, None)
        }
        "if" => {
            c.next();
            cond_jump(c)?
        }
        "lock" => {
            c.next();
            lock(c)?
        }
        "*" => (store(c)?, None),
        _ if c.peek_reg_like() => assignment(c, log_opcode)?,
        _ => {
            return Err(c.error(AsmError::UnknownInstruction {
                found: format!("'{}'", first.text),
            }))
        }
    };
    c.expect_end()?;
    Ok(result)
}

/// `+N`, `-N`, `pc+N`, `pc-N` or a label.
pub(crate) fn target(c: &mut Cursor) -> PResult<Target> {
    if c.peek_is("pc") && matches!(c.peek_at(1).map(|t| t.text.as_str()), Some("+" | "-")) {
        c.next();
    }
    if c.peek_int() {
        let (v, _) = c.int()?;
        return Ok(Target::Relative(
            v.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
        ));
    }
    match c.peek() {
        Some(t) if t.kind == Kind::Ident && c.peek_reg().is_none() => {
            c.next();
            Ok(Target::Label(
                t.text.clone(),
                unwind_program::Span::new(c.line.number, t.col, t.end),
            ))
        }
        _ => Err(c.expected("a jump target (a label, +N or -N)")),
    }
}

fn call(c: &mut Cursor) -> PResult<(Insn, Option<Fixup>)> {
    // `call pc+5` (log), `call +5`: a bpf-to-bpf call by offset.
    if c.peek_is("pc") || c.peek_is("+") || c.peek_is("-") {
        let t = target(c)?;
        return Ok((Insn::Call(CallTarget::Local(0)), Some(Fixup::CallLocal(t))));
    }
    if c.peek_int() {
        let id = c.imm32()?;
        return Ok((Insn::Call(CallTarget::Helper(id)), None));
    }
    let t = c.ident("a function name, a helper number or a label")?;
    if (t.text == "kfunc" || t.text == "helper") && c.peek_is("(") {
        // `call kfunc(N)`: a kernel function by BTF id that the catalogue does not name;
        // `call helper(N)`: a helper id that `call N` cannot spell (a negative one).
        c.next();
        let id = c.imm32()?;
        c.expect(")")?;
        let target = if t.text == "kfunc" {
            CallTarget::Kfunc(id)
        } else {
            CallTarget::Helper(id)
        };
        return Ok((Insn::Call(target), None));
    }
    // Log forms: `call bpf_map_lookup_elem#1`, `call unknown#212`, `call kernel-function#N`.
    if t.text == "kernel" && c.peek_is("-") && c.peek_at(1).is_some_and(|f| f.is("function")) {
        c.pos += 2;
        c.expect("#")?;
        return Ok((Insn::Call(CallTarget::Kfunc(c.imm32()?)), None));
    }
    if c.eat("#") {
        let id = c.imm32()?;
        if t.text == "unknown" {
            return Ok((Insn::Call(CallTarget::Helper(id)), None));
        }
    }
    if t.text == "local" {
        let t = target(c)?;
        return Ok((Insn::Call(CallTarget::Local(0)), Some(Fixup::CallLocal(t))));
    }
    let span = unwind_program::Span::new(c.line.number, t.col, t.end);
    Ok((
        Insn::Call(CallTarget::Helper(0)),
        Some(Fixup::CallName(t.text.clone(), span)),
    ))
}

fn jmp_op(c: &mut Cursor) -> PResult<JmpOp> {
    let signed = c.peek_is("s");
    if signed {
        c.next();
    }
    let Some(t) = c.peek() else {
        return Err(c.expected("a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)"));
    };
    let op = match (signed, t.text.as_str()) {
        (false, "==") => JmpOp::Eq,
        (false, "!=") => JmpOp::Ne,
        (false, ">") => JmpOp::Gt,
        (false, ">=") => JmpOp::Ge,
        (false, "<") => JmpOp::Lt,
        (false, "<=") => JmpOp::Le,
        (false, "&") => JmpOp::Set,
        (true, ">") => JmpOp::Sgt,
        (true, ">=") => JmpOp::Sge,
        (true, "<") => JmpOp::Slt,
        (true, "<=") => JmpOp::Sle,
        _ => return Err(c.expected("a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)")),
    };
    c.next();
    Ok(op)
}

fn cond_jump(c: &mut Cursor) -> PResult<(Insn, Option<Fixup>)> {
    let (dst, width) = c.reg()?;
    let op = jmp_op(c)?;
    let src = operand(c, width)?;
    let goto = c.ident("'goto'")?;
    if goto.text != "goto" {
        return Err(c.error_at(goto, expected("'goto'", format!("'{}'", goto.text))));
    }
    let t = target(c)?;
    Ok((
        Insn::Jump {
            width,
            op,
            dst,
            src,
            off: 0,
        },
        Some(Fixup::Jump(t)),
    ))
}

/// A register of `width` or a 32-bit immediate.
fn operand(c: &mut Cursor, width: Width) -> PResult<Operand> {
    if c.peek_reg().is_some() {
        Ok(Operand::Reg(c.reg_of(width)?))
    } else if c.peek_int() {
        Ok(Operand::Imm(c.imm32()?))
    } else {
        Err(c.expected("a register or an immediate"))
    }
}

/// `*(u32 *)` or `(u32 *)`: the size and whether it is signed (`s8`..).
fn size_cast(c: &mut Cursor) -> PResult<(Size, bool)> {
    c.expect("(")?;
    let t = c.ident("a size (u8, u16, u32, u64, s8, s16, s32)")?;
    let s = parse_size_type(&t.text).ok_or_else(|| {
        c.error_at(
            t,
            expected(
                "a size (u8, u16, u32, u64, s8, s16, s32)",
                format!("'{}'", t.text),
            ),
        )
    })?;
    c.expect("*")?;
    c.expect(")")?;
    Ok(s)
}

/// `(rN + off)`, `(rN - off)`, `(rN +off)` or `(rN)`.
fn address(c: &mut Cursor) -> PResult<(Reg, i16)> {
    c.expect("(")?;
    let r = address_inner(c)?;
    c.expect(")")?;
    Ok(r)
}

fn address_inner(c: &mut Cursor) -> PResult<(Reg, i16)> {
    let (base, _) = c.reg()?;
    let off = if c.peek_is("+") || c.peek_is("-") {
        let neg = c.next().expect("peeked").text == "-";
        let (v, col) = c.int()?;
        let v = if neg { -v } else { v };
        if v < i16::MIN as i128 || v > i16::MAX as i128 {
            return Err(crate::diagnostic::Diagnostic::new(
                c.line.number,
                col,
                c.span_from(col).end_column,
                AsmError::OutOfRange {
                    what: "offset".into(),
                    value: v.to_string(),
                    range: format!("{}..={}", i16::MIN, i16::MAX),
                },
            ));
        }
        v as i16
    } else {
        0
    };
    Ok((base, off))
}

fn store(c: &mut Cursor) -> PResult<Insn> {
    c.expect("*")?;
    let (size, signed) = size_cast(c)?;
    if signed {
        return Err(c.expected("an unsigned size for a store"));
    }
    let (dst, off) = address(c)?;
    c.expect("=")?;
    if c.peek_reg().is_some() {
        let (src, _) = c.reg()?;
        Ok(Insn::StoreReg {
            size,
            dst,
            off,
            src,
        })
    } else {
        let imm = c.imm32()?;
        Ok(Insn::StoreImm {
            size,
            dst,
            off,
            imm,
        })
    }
}

fn lock(c: &mut Cursor) -> PResult<(Insn, Option<Fixup>)> {
    c.expect("*")?;
    let (size, _) = size_cast(c)?;
    let (dst, off) = address(c)?;
    let Some(t) = c.next() else {
        return Err(c.expected("+=, &=, |= or ^="));
    };
    let op = match t.text.as_str() {
        "+=" => AtomicOp::Add,
        "&=" => AtomicOp::And,
        "|=" => AtomicOp::Or,
        "^=" => AtomicOp::Xor,
        other => {
            return Err(c.error_at(t, expected("+=, &=, |= or ^=", format!("'{other}'"))));
        }
    };
    let (src, _) = c.reg()?;
    atomic_size(c, size)?;
    Ok((
        Insn::Atomic {
            size,
            op,
            fetch: false,
            dst,
            off,
            src,
        },
        None,
    ))
}

fn atomic_size(c: &Cursor, size: Size) -> PResult<()> {
    if matches!(size, Size::W | Size::DW) {
        Ok(())
    } else {
        Err(c.error(expected("an atomic size (u32 or u64)", size_label(size))))
    }
}

fn size_label(size: Size) -> String {
    size.c_type(false).to_string()
}

fn alu_op(c: &mut Cursor) -> Option<AluOp> {
    let signed = c.peek_is("s");
    let t = c.peek_at(usize::from(signed))?;
    let op = match (signed, t.text.as_str()) {
        (false, "=") => AluOp::Mov,
        (false, "+=") => AluOp::Add,
        (false, "-=") => AluOp::Sub,
        (false, "*=") => AluOp::Mul,
        (false, "/=") => AluOp::Div,
        (false, "%=") => AluOp::Mod,
        (false, "|=") => AluOp::Or,
        (false, "&=") => AluOp::And,
        (false, "^=") => AluOp::Xor,
        (false, "<<=") => AluOp::Lsh,
        (false, ">>=") => AluOp::Rsh,
        (true, ">>=") => AluOp::Arsh,
        (true, "/=") => AluOp::Sdiv,
        (true, "%=") => AluOp::Smod,
        _ => return None,
    };
    c.pos += 1 + usize::from(signed);
    Some(op)
}

fn assignment(c: &mut Cursor, log_opcode: Option<u8>) -> PResult<(Insn, Option<Fixup>)> {
    let dst_tok = c.peek().expect("caller saw a register");
    let (dst, width) = c.reg()?;
    let Some(op) = alu_op(c) else {
        return Err(c.expected(
            "an assignment (=, +=, -=, *=, /=, %=, |=, &=, ^=, <<=, >>=, s>>=, s/=, s%=)",
        ));
    };
    if op != AluOp::Mov {
        let src = operand(c, width)?;
        return Ok((
            Insn::Alu {
                width,
                op,
                dst,
                src,
            },
            None,
        ));
    }
    let same_reg = |c: &mut Cursor, what: &str| -> PResult<()> {
        let tok = c.peek();
        let (r, _) = c.reg()?;
        if r != dst {
            let tok = tok.expect("a register was parsed");
            return Err(c.error_at(
                tok,
                expected(
                    format!("{what} of the destination {}", dst_tok.text),
                    format!("'{}'", tok.text),
                ),
            ));
        }
        Ok(())
    };
    let Some(t) = c.peek() else {
        return Err(c.expected("a value"));
    };
    // `rD = -rD`
    if t.is("-") && c.peek_at(1).is_some_and(|n| n.kind == Kind::Ident) {
        c.next();
        same_reg(c, "negation")?;
        return Ok((Insn::Neg { width, dst }, None));
    }
    if c.peek_int() {
        return immediate(c, dst, width, log_opcode);
    }
    match t.text.as_str() {
        "(" => {
            // `rD = (s8)rS`
            c.next();
            let st = c.ident("s8, s16 or s32")?;
            let from_bits = match st.text.as_str() {
                "s8" => 8,
                "s16" => 16,
                "s32" if width == Width::W64 => 32,
                _ => {
                    return Err(c.error_at(st, expected("s8, s16 or s32", format!("'{}'", st.text))))
                }
            };
            c.expect(")")?;
            let src = c.reg_of(width)?;
            Ok((
                Insn::MovSx {
                    width,
                    dst,
                    src,
                    from_bits,
                },
                None,
            ))
        }
        "*" => load(c, dst, width),
        _ => {
            if c.peek_reg().is_some() {
                let src = c.reg_of(width)?;
                return Ok((
                    Insn::Alu {
                        width,
                        op: AluOp::Mov,
                        dst,
                        src: Operand::Reg(src),
                    },
                    None,
                ));
            }
            let t = c.ident("a value")?;
            named_value(c, t, dst, width, &same_reg)
        }
    }
}

fn immediate(
    c: &mut Cursor,
    dst: Reg,
    width: Width,
    log_opcode: Option<u8>,
) -> PResult<(Insn, Option<Fixup>)> {
    let col = c.col();
    let (v, _) = c.int()?;
    let ll = c.eat("ll") || log_opcode == Some(LD_IMM64_OPCODE);
    let range_err = |range: &str| {
        crate::diagnostic::Diagnostic::new(
            c.line.number,
            col,
            c.span_from(col).end_column,
            AsmError::OutOfRange {
                what: "immediate".into(),
                value: v.to_string(),
                range: range.into(),
            },
        )
    };
    if ll {
        if width != Width::W64 {
            return Err(c.error(expected(
                "an r register for a 64-bit immediate",
                "a w register",
            )));
        }
        if v < i64::MIN as i128 || v > u64::MAX as i128 {
            return Err(range_err("a 64-bit value"));
        }
        return Ok((
            Insn::LdImm64 {
                dst,
                kind: Imm64Kind::Imm,
                imm: v as u64,
            },
            None,
        ));
    }
    if v < i32::MIN as i128 || v > u32::MAX as i128 {
        return Err(range_err(
            "a 32-bit value (add `ll` for a 64-bit immediate)",
        ));
    }
    Ok((
        Insn::Alu {
            width,
            op: AluOp::Mov,
            dst,
            src: Operand::Imm(v as u32 as i32),
        },
        None,
    ))
}

fn load(c: &mut Cursor, dst: Reg, width: Width) -> PResult<(Insn, Option<Fixup>)> {
    c.expect("*")?;
    let (size, signed) = size_cast(c)?;
    if width == Width::W32 && (signed || size == Size::DW) {
        return Err(c.error(expected(
            format!("r{} for a {}-bit load", dst.index(), size.bits()),
            format!("w{}", dst.index()),
        )));
    }
    if c.peek_is("skb") {
        // Legacy packet access: `r0 = *(u8 *)skb[4]`, `skb[r1]`, `skb[r1 + 4]`.
        c.next();
        if dst != Reg::R0 || signed || size == Size::DW {
            return Err(c.error(expected("r0 = *(u8|u16|u32 *)skb[...]", "another form")));
        }
        c.expect("[")?;
        let insn = if c.peek_reg().is_some() {
            let (src, _) = c.reg()?;
            let imm = if c.eat("+") { c.imm32()? } else { 0 };
            Insn::LdInd { size, src, imm }
        } else {
            Insn::LdAbs {
                size,
                imm: c.imm32()?,
            }
        };
        c.expect("]")?;
        return Ok((insn, None));
    }
    let (src, off) = address(c)?;
    Ok((
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        },
        None,
    ))
}

fn atomic_fetch_op(name: &str) -> Option<(AtomicOp, Option<Size>)> {
    let (size, op) = if let Some(op) = name.strip_prefix("atomic64_fetch_") {
        (Some(Size::DW), op)
    } else if let Some(op) = name.strip_prefix("atomic_fetch_") {
        (None, op)
    } else {
        return None;
    };
    let op = match op {
        "add" => AtomicOp::Add,
        "and" => AtomicOp::And,
        "or" => AtomicOp::Or,
        "xor" => AtomicOp::Xor,
        _ => return None,
    };
    Some((op, size))
}

/// Values written with a name: byte swaps, atomics, casts, map and function addresses.
fn named_value(
    c: &mut Cursor,
    t: &crate::lexer::Token,
    dst: Reg,
    width: Width,
    same_reg: &dyn Fn(&mut Cursor, &str) -> PResult<()>,
) -> PResult<(Insn, Option<Fixup>)> {
    let name = t.text.as_str();
    let endian = |kind, bits| (kind, bits);
    let swap = match name {
        "be16" => Some(endian(Endian::Be, 16)),
        "be32" => Some(endian(Endian::Be, 32)),
        "be64" => Some(endian(Endian::Be, 64)),
        "le16" => Some(endian(Endian::Le, 16)),
        "le32" => Some(endian(Endian::Le, 32)),
        "le64" => Some(endian(Endian::Le, 64)),
        "bswap16" => Some(endian(Endian::Swap, 16)),
        "bswap32" => Some(endian(Endian::Swap, 32)),
        "bswap64" => Some(endian(Endian::Swap, 64)),
        _ => None,
    };
    if let Some((kind, bits)) = swap {
        same_reg(c, "the byte swap")?;
        return Ok((Insn::Endian { kind, bits, dst }, None));
    }
    if let Some((op, fixed_size)) = atomic_fetch_op(name) {
        // `r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)`
        c.expect("(")?;
        let (size, _) = size_cast(c)?;
        if fixed_size.is_some_and(|s| s != size) {
            return Err(c.error(expected("(u64 *) for atomic64_*", size_label(size))));
        }
        atomic_size(c, size)?;
        let (base, off) = address(c)?;
        c.expect(",")?;
        same_reg(c, "the fetched register, the same as")?;
        c.expect(")")?;
        return Ok((
            Insn::Atomic {
                size,
                op,
                fetch: true,
                dst: base,
                off,
                src: dst,
            },
            None,
        ));
    }
    match name {
        "xchg_64" | "xchg32_32" | "cmpxchg_64" | "cmpxchg32_32" | "atomic64_xchg"
        | "atomic_xchg" | "atomic64_cmpxchg" | "atomic_cmpxchg" => {
            // LLVM forms: `r1 = xchg_64(r10 - 8, r1)`, `r0 = cmpxchg_64(r10 - 8, r0, r1)`;
            // kernel log forms: `r1 = atomic64_xchg((u64 *)(r10 -8), r1)`.
            c.expect("(")?;
            let (size, (base, off)) = if name.starts_with("atomic") {
                let (size, _) = size_cast(c)?;
                atomic_size(c, size)?;
                (size, address(c)?)
            } else {
                let size = if name.ends_with("_64") {
                    Size::DW
                } else {
                    Size::W
                };
                (size, address_inner(c)?)
            };
            c.expect(",")?;
            let (op, src) = if name.ends_with("cmpxchg") || name.starts_with("cmpxchg") {
                if dst != Reg::R0 {
                    return Err(c.error(expected(
                        "r0 as the destination of cmpxchg",
                        format!("r{}", dst.index()),
                    )));
                }
                same_reg(c, "r0, the same as")?;
                c.expect(",")?;
                (AtomicOp::Cmpxchg, c.reg()?.0)
            } else {
                same_reg(c, "the exchanged register, the same as")?;
                (AtomicOp::Xchg, dst)
            };
            c.expect(")")?;
            Ok((
                Insn::Atomic {
                    size,
                    op,
                    fetch: true,
                    dst: base,
                    off,
                    src,
                },
                None,
            ))
        }
        "addr_space_cast" => {
            c.expect("(")?;
            let (src, _) = c.reg()?;
            c.expect(",")?;
            let dst_as = c.int_in("address space", 0, u16::MAX as i128)? as u16;
            c.expect(",")?;
            let src_as = c.int_in("address space", 0, u16::MAX as i128)? as u16;
            c.expect(")")?;
            Ok((
                Insn::AddrSpaceCast {
                    dst,
                    src,
                    dst_as,
                    src_as,
                },
                None,
            ))
        }
        _ => {
            if width != Width::W64 {
                return Err(c.error_at(
                    t,
                    expected(
                        format!("r{} for a 64-bit address", dst.index()),
                        format!("w{}", dst.index()),
                    ),
                ));
            }
            let r = pseudo_imm64(c, t, dst)?;
            c.eat("ll");
            Ok(r)
        }
    }
}

/// `map[NAME]`, `map[N]`, `map_value[NAME] + OFF`, `btf_id(N)`, `map_idx(N)`,
/// `map_idx_value(N) + OFF`, or a function name (a callback address).
fn pseudo_imm64(
    c: &mut Cursor,
    t: &crate::lexer::Token,
    dst: Reg,
) -> PResult<(Insn, Option<Fixup>)> {
    let ld = |kind, imm: u64| Insn::LdImm64 { dst, kind, imm };
    let plus_offset = |c: &mut Cursor| -> PResult<i32> {
        if c.eat("+") {
            Ok(c.int_in("map value offset", 0, u32::MAX as i128)? as u32 as i32)
        } else {
            Ok(0)
        }
    };
    match t.text.as_str() {
        "map" | "map_value" if c.peek_is("[") => {
            let value = t.text == "map_value";
            c.next();
            if c.peek_int() {
                let fd = c.int_in("map fd", 0, u32::MAX as i128)? as u32 as u64;
                c.expect("]")?;
                let off = if value { plus_offset(c)? } else { 0 };
                let kind = if value {
                    Imm64Kind::MapValue
                } else {
                    Imm64Kind::MapFd
                };
                return Ok((ld(kind, fd | (off as u32 as u64) << 32), None));
            }
            let n = c.ident("a map name")?;
            c.expect("]")?;
            let offset = if value { plus_offset(c)? } else { 0 };
            let kind = if value {
                Imm64Kind::MapValue
            } else {
                Imm64Kind::MapFd
            };
            let span = unwind_program::Span::new(c.line.number, n.col, n.end);
            Ok((
                ld(kind, 0),
                Some(Fixup::Map {
                    name: n.text.clone(),
                    span,
                    value,
                    offset,
                }),
            ))
        }
        "func" if c.peek_is("(") => {
            // `func(+N)`: a function address by relative offset (printed when no label fits).
            c.next();
            let rel = c.imm32()?;
            c.expect(")")?;
            Ok((ld(Imm64Kind::Func, rel as u32 as u64), None))
        }
        "btf_id" | "map_idx" | "map_idx_value" if c.peek_is("(") => {
            c.next();
            let n = c.int_in("id", 0, u32::MAX as i128)? as u64;
            c.expect(")")?;
            let (kind, off) = match t.text.as_str() {
                "btf_id" => (Imm64Kind::BtfId, 0),
                "map_idx" => (Imm64Kind::MapIdx, 0),
                _ => (Imm64Kind::MapIdxValue, plus_offset(c)?),
            };
            Ok((ld(kind, n | (off as u32 as u64) << 32), None))
        }
        name => {
            let span = unwind_program::Span::new(c.line.number, t.col, t.end);
            Ok((
                ld(Imm64Kind::Func, 0),
                Some(Fixup::FuncAddr(name.to_string(), span)),
            ))
        }
    }
}
