//! Soundness of the scalar domain: for concrete numbers inside abstract inputs, the concrete
//! result of every ALU operation is inside the abstract result, and branch refinement keeps
//! every pair of numbers for which the comparison holds (or fails) on that side.

use proptest::prelude::*;
use unwind_isa::semantics::{alu, jump_taken};
use unwind_isa::{AluOp, JmpOp, Width};
use unwind_verifier::bounds::Scalar;
use unwind_verifier::tnum::Tnum;

/// An abstract scalar containing `v`, built by one of several routes.
fn abstract_of(v: u64, a: u64, b: u64, how: u8) -> Scalar {
    let s = match how % 7 {
        0 => Scalar::konst(v),
        1 => Scalar::unknown(),
        2 => Scalar::urange(v.saturating_sub(a % 1000), v.saturating_add(b % 1000)),
        3 => Scalar::srange(
            (v as i64).saturating_sub((a % 100_000) as i64),
            (v as i64).saturating_add((b % 100_000) as i64),
        ),
        4 => {
            let mask = a & b;
            let mut s = Scalar::unknown();
            s.var_off = Tnum::new(v & !mask, mask);
            s.sync();
            s
        }
        5 => {
            // a 32-bit value zero-extended
            let mut s = Scalar::urange(0, u32::MAX as u64);
            if v > u32::MAX as u64 {
                s = Scalar::unknown();
            }
            s
        }
        _ => {
            let lo = (v as u32).saturating_sub(a as u32 % 77) as u64;
            let hi = (v as u32).saturating_add(b as u32 % 77) as u64;
            let mut s = Scalar::unknown();
            s.u32_min = lo as u32;
            s.u32_max = hi as u32;
            s.sync();
            s
        }
    };
    assert!(s.contains(v), "{s:?} must contain {v:#x}");
    s
}

fn width(w32: bool) -> Width {
    if w32 {
        Width::W32
    } else {
        Width::W64
    }
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        0u64..64,
        (0u64..64).prop_map(|x| x.wrapping_neg()),
        any::<u32>().prop_map(|x| x as u64),
        any::<i32>().prop_map(|x| x as i64 as u64),
    ]
}

const OPS: [AluOp; 9] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Mul,
    AluOp::And,
    AluOp::Or,
    AluOp::Xor,
    AluOp::Lsh,
    AluOp::Rsh,
    AluOp::Arsh,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn alu_is_sound(x in value(), y in value(), a in any::<u64>(), b in any::<u64>(),
                    h1 in any::<u8>(), h2 in any::<u8>(), op in 0usize..OPS.len(), alu32 in any::<bool>()) {
        let op = OPS[op];
        let bits = if alu32 { 32 } else { 64 };
        let y = if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) { y % bits } else { y };
        let h2 = if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) { 0 } else { h2 };
        let sx = abstract_of(x, a, b, h1);
        let sy = abstract_of(y, b, a, h2);
        let r = sx.alu(op, &sy, alu32);
        let c = alu(width(alu32), op, x, y);
        prop_assert!(r.contains(c), "{op:?} alu32={alu32} {x:#x} {y:#x} = {c:#x} not in {r:?}\nfrom {sx:?}\nand {sy:?}");
    }

    #[test]
    fn refinement_is_sound(x in value(), y in value(), a in any::<u64>(), b in any::<u64>(),
                           h1 in any::<u8>(), h2 in any::<u8>(), op in 0usize..JmpOp::ALL.len(), jmp32 in any::<bool>()) {
        let op = JmpOp::ALL[op];
        let mut sx = abstract_of(x, a, b, h1);
        let mut sy = abstract_of(y, b, a, h2);
        let holds = jump_taken(width(jmp32), op, x, y);
        if let Some(t) = sx.branch_taken(&sy, op, jmp32) {
            prop_assert_eq!(t, holds, "branch_taken {:?} {:#x} {:#x}", op, x, y);
        }
        let ok = Scalar::refine(&mut sx, &mut sy, op, jmp32, !holds);
        prop_assert!(ok, "{op:?} jmp32={jmp32} holds={holds}: branch judged impossible for {x:#x} {y:#x}");
        prop_assert!(sx.contains(x), "{op:?} jmp32={jmp32} holds={holds}: {x:#x} lost from {sx:?}");
        prop_assert!(sy.contains(y), "{op:?} jmp32={jmp32} holds={holds}: {y:#x} lost from {sy:?}");
    }

    #[test]
    fn tnum_ops_are_sound(x in any::<u64>(), y in any::<u64>(), m1 in any::<u64>(), m2 in any::<u64>()) {
        let a = Tnum::new(x & !m1, m1);
        let b = Tnum::new(y & !m2, m2);
        prop_assert!(a.add(b).contains(x.wrapping_add(y)));
        prop_assert!(a.sub(b).contains(x.wrapping_sub(y)));
        prop_assert!(a.mul(b).contains(x.wrapping_mul(y)));
        prop_assert!(a.and(b).contains(x & y));
        prop_assert!(a.or(b).contains(x | y));
        prop_assert!(a.xor(b).contains(x ^ y));
        prop_assert!(Tnum::range(x.min(y), x.max(y)).contains(x));
    }

    #[test]
    fn casts_and_extensions_are_sound(x in value(), a in any::<u64>(), b in any::<u64>(), h in any::<u8>(), k in 0usize..3) {
        let s = abstract_of(x, a, b, h);
        let size = [1u32, 2, 4][k];
        let mut t = s;
        t.coerce_to_size(size);
        let mask = (1u64 << (size * 8)) - 1;
        prop_assert!(t.contains(x & mask), "coerce {size}: {:#x} not in {t:?}", x & mask);
        let mut e = s;
        e.sign_extend(size * 8, false);
        let sh = 64 - size * 8;
        let ext = (((x << sh) as i64) >> sh) as u64;
        prop_assert!(e.contains(ext), "sext {size}: {ext:#x} not in {e:?}");
        if size < 4 {
            let mut e32 = s;
            e32.sign_extend(size * 8, true);
            let ext32 = ext as u32 as u64;
            prop_assert!(e32.contains(ext32), "sext32 {size}: {ext32:#x} not in {e32:?}");
        }
    }
}
