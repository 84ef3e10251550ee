//! What the ALU and conditional-jump instructions compute on concrete numbers (RFC 9669),
//! written once: the interpreter executes these functions and the verifier checks its scalar
//! domain against them, so the two cannot disagree on a corner such as division by zero.
//!
//! The corners: division by zero gives 0 and modulo by zero leaves the dividend; signed
//! `INT_MIN / -1` wraps to `INT_MIN` and `INT_MIN % -1` is 0; shift amounts are masked to
//! the width (63 or 31); every 32-bit result is zero-extended to 64 bits. Byte-order
//! conversions are those of a little-endian machine, as the interpreter's memory is.
//!
//! Everything is `#[inline(always)]`: the interpreter calls these with a constant operation
//! from its hot loop, where each call must fold to the one machine instruction it stands for.

use crate::{AluOp, Endian, JmpOp, Width};

/// `dst op src` in `width`; a 32-bit result is zero-extended. `src` is the operand as the
/// instruction sees it: a register, or the immediate sign-extended to 64 bits.
#[inline(always)]
pub fn alu(width: Width, op: AluOp, dst: u64, src: u64) -> u64 {
    match width {
        Width::W64 => alu64(op, dst, src),
        Width::W32 => alu32(op, dst as u32, src as u32) as u64,
    }
}

/// `dst op src` on 64 bits (`BPF_ALU64`).
#[inline(always)]
fn alu64(op: AluOp, dst: u64, src: u64) -> u64 {
    match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div => dst.checked_div(src).unwrap_or(0),
        AluOp::Sdiv => match src {
            0 => 0,
            _ => (dst as i64).wrapping_div(src as i64) as u64,
        },
        AluOp::Mod => dst.checked_rem(src).unwrap_or(dst),
        AluOp::Smod => match src {
            0 => dst,
            _ => (dst as i64).wrapping_rem(src as i64) as u64,
        },
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Xor => dst ^ src,
        AluOp::Lsh => dst << (src & 63),
        AluOp::Rsh => dst >> (src & 63),
        AluOp::Arsh => ((dst as i64) >> (src & 63)) as u64,
        AluOp::Mov => src,
    }
}

/// `dst op src` on the low 32 bits (`BPF_ALU`), before zero extension.
#[inline(always)]
fn alu32(op: AluOp, dst: u32, src: u32) -> u32 {
    match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div => dst.checked_div(src).unwrap_or(0),
        AluOp::Sdiv => match src {
            0 => 0,
            _ => (dst as i32).wrapping_div(src as i32) as u32,
        },
        AluOp::Mod => dst.checked_rem(src).unwrap_or(dst),
        AluOp::Smod => match src {
            0 => dst,
            _ => (dst as i32).wrapping_rem(src as i32) as u32,
        },
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Xor => dst ^ src,
        AluOp::Lsh => dst << (src & 31),
        AluOp::Rsh => dst >> (src & 31),
        AluOp::Arsh => ((dst as i32) >> (src & 31)) as u32,
        AluOp::Mov => src,
    }
}

/// `dst = -dst` in `width`.
#[inline(always)]
pub fn neg(width: Width, dst: u64) -> u64 {
    match width {
        Width::W64 => dst.wrapping_neg(),
        Width::W32 => (dst as u32).wrapping_neg() as u64,
    }
}

/// The low `from_bits` (8, 16 or 32) bits of `v`, sign-extended to 64 bits: `movsx` and the
/// sign-extending loads.
#[inline(always)]
pub fn sign_extend(v: u64, from_bits: u8) -> u64 {
    match from_bits {
        8 => v as i8 as i64 as u64,
        16 => v as i16 as i64 as u64,
        _ => v as i32 as i64 as u64,
    }
}

/// `movsx`: sign extension to `width`; the 32-bit form zero-extends the result like every
/// 32-bit operation.
#[inline(always)]
pub fn movsx(width: Width, src: u64, from_bits: u8) -> u64 {
    match width {
        Width::W64 => sign_extend(src, from_bits),
        Width::W32 => sign_extend(src, from_bits) as u32 as u64,
    }
}

/// `le`/`be`/`bswap` of the low `bits` (16, 32 or 64) bits, zero-extended. On a little-endian
/// machine `le` only truncates and `be` swaps the bytes like `bswap`.
#[inline(always)]
pub fn endian(kind: Endian, bits: u8, v: u64) -> u64 {
    match (kind, bits) {
        (Endian::Le, 16) => v as u16 as u64,
        (Endian::Le, 32) => v as u32 as u64,
        (Endian::Le, _) => v,
        (Endian::Be | Endian::Swap, 16) => (v as u16).swap_bytes() as u64,
        (Endian::Be | Endian::Swap, 32) => (v as u32).swap_bytes() as u64,
        (Endian::Be | Endian::Swap, _) => v.swap_bytes(),
    }
}

/// Whether the conditional jump `if dst op src` is taken, comparing the low 32 bits for
/// `JMP32`. `src` is a register, or the immediate sign-extended to 64 bits.
#[inline(always)]
pub fn jump_taken(width: Width, op: JmpOp, dst: u64, src: u64) -> bool {
    match width {
        Width::W64 => compare(op, dst, src, dst as i64, src as i64),
        Width::W32 => compare(
            op,
            dst as u32 as u64,
            src as u32 as u64,
            dst as i32 as i64,
            src as i32 as i64,
        ),
    }
}

/// One comparison on both the unsigned and the signed reading of the operands.
#[inline(always)]
fn compare(op: JmpOp, a: u64, b: u64, sa: i64, sb: i64) -> bool {
    match op {
        JmpOp::Eq => a == b,
        JmpOp::Ne => a != b,
        JmpOp::Gt => a > b,
        JmpOp::Ge => a >= b,
        JmpOp::Lt => a < b,
        JmpOp::Le => a <= b,
        JmpOp::Sgt => sa > sb,
        JmpOp::Sge => sa >= sb,
        JmpOp::Slt => sa < sb,
        JmpOp::Sle => sa <= sb,
        JmpOp::Set => a & b != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Width::{W32, W64};

    #[test]
    fn division_and_modulo_by_zero() {
        for op in [AluOp::Div, AluOp::Sdiv] {
            assert_eq!(alu(W64, op, 7, 0), 0);
            assert_eq!(alu(W32, op, u64::MAX, 0), 0);
        }
        assert_eq!(alu(W64, AluOp::Mod, 7, 0), 7);
        assert_eq!(alu(W64, AluOp::Smod, (-7i64) as u64, 0), (-7i64) as u64);
        // a 32-bit modulo by zero keeps only dst's low half
        assert_eq!(alu(W32, AluOp::Mod, 0x1_0000_0007, 0), 7);
        assert_eq!(alu(W32, AluOp::Smod, 0xffff_ffff_ffff_fff9, 0), 0xffff_fff9);
        // the divisor is the low half: 1 << 32 is zero in 32 bits
        assert_eq!(alu(W32, AluOp::Div, 9, 1 << 32), 0);
    }

    #[test]
    fn signed_division_wraps_at_int_min() {
        let m1 = u64::MAX;
        assert_eq!(alu(W64, AluOp::Sdiv, i64::MIN as u64, m1), i64::MIN as u64);
        assert_eq!(alu(W64, AluOp::Smod, i64::MIN as u64, m1), 0);
        assert_eq!(alu(W32, AluOp::Sdiv, 0x8000_0000, m1), 0x8000_0000);
        assert_eq!(alu(W32, AluOp::Smod, 0x8000_0000, m1), 0);
        // the remainder has the sign of the dividend
        assert_eq!(alu(W64, AluOp::Smod, (-7i64) as u64, 3), (-1i64) as u64);
        assert_eq!(alu(W32, AluOp::Smod, 7, (-3i64) as u64), 1);
    }

    #[test]
    fn shifts_mask_their_amount_to_the_width() {
        assert_eq!(alu(W64, AluOp::Lsh, 1, 65), 2);
        assert_eq!(alu(W32, AluOp::Lsh, 1, 33), 2);
        assert_eq!(alu(W64, AluOp::Rsh, 4, 66), 1);
        assert_eq!(alu(W32, AluOp::Arsh, 0x8000_0000, 35), 0xf000_0000);
        assert_eq!(alu(W64, AluOp::Arsh, 1 << 63, 63), u64::MAX);
    }

    #[test]
    fn results_of_32_bit_operations_are_zero_extended() {
        assert_eq!(alu(W32, AluOp::Add, 0xffff_ffff, 1), 0);
        assert_eq!(alu(W32, AluOp::Mov, 0, u64::MAX), 0xffff_ffff);
        assert_eq!(neg(W32, 1), 0xffff_ffff);
        assert_eq!(neg(W64, 1), u64::MAX);
        assert_eq!(movsx(W32, 0x80, 8), 0xffff_ff80);
        assert_eq!(movsx(W64, 0x8000, 16), 0xffff_ffff_ffff_8000);
        assert_eq!(movsx(W64, 0x8000_0000, 32), 0xffff_ffff_8000_0000);
    }

    #[test]
    fn byte_order_on_a_little_endian_machine() {
        let v = 0x1122_3344_5566_7788;
        assert_eq!(endian(Endian::Le, 16, v), 0x7788);
        assert_eq!(endian(Endian::Le, 64, v), v);
        assert_eq!(endian(Endian::Be, 16, v), 0x8877);
        assert_eq!(endian(Endian::Swap, 32, v), 0x8877_6655);
        assert_eq!(endian(Endian::Be, 64, v), 0x8877_6655_4433_2211);
    }

    #[test]
    fn jumps_compare_signed_or_unsigned_in_their_width() {
        let m1 = u64::MAX;
        assert!(jump_taken(W64, JmpOp::Gt, m1, 1));
        assert!(!jump_taken(W64, JmpOp::Sgt, m1, 1));
        assert!(jump_taken(W64, JmpOp::Slt, m1, 0));
        // JMP32 looks at the low halves only
        assert!(jump_taken(W32, JmpOp::Eq, 0x1_0000_0005, 5));
        assert!(!jump_taken(W64, JmpOp::Eq, 0x1_0000_0005, 5));
        assert!(jump_taken(W32, JmpOp::Slt, 0x8000_0000, 0));
        assert!(!jump_taken(W64, JmpOp::Slt, 0x8000_0000, 0));
        assert!(jump_taken(W64, JmpOp::Set, 0x1_0000_0000, 0x1_0000_0000));
        assert!(!jump_taken(W32, JmpOp::Set, 0x1_0000_0000, 0x1_0000_0000));
        for op in [JmpOp::Ge, JmpOp::Le, JmpOp::Sge, JmpOp::Sle] {
            assert!(jump_taken(W64, op, 3, 3));
        }
        for op in [JmpOp::Ne, JmpOp::Lt, JmpOp::Gt, JmpOp::Slt, JmpOp::Sgt] {
            assert!(!jump_taken(W32, op, 3, 3));
        }
    }
}
