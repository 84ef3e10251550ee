//! The verifier's folding of known constants agrees with the ISA's semantics: for two
//! constants, the scalar domain's result of every ALU operation, its sign extension and its
//! decision on every conditional jump, at both widths, are what `unwind_isa::semantics`
//! computes. Operations the domain does not track (division, modulo, `mov`, out-of-range
//! shifts) must give a result that at least contains the concrete one.

use proptest::prelude::*;
use unwind_isa::semantics::{alu, jump_taken, movsx};
use unwind_isa::{AluOp, JmpOp, Width};
use unwind_verifier::bounds::Scalar;

/// Constants that reach the corners: zero, small shift amounts, sign bits of both halves,
/// `-1`, and values whose halves differ.
fn constant() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        0u64..70,
        (0u64..70).prop_map(|x| x.wrapping_neg()),
        any::<u32>().prop_map(|x| x as u64),
        any::<i32>().prop_map(|x| x as i64 as u64),
        Just(i64::MIN as u64),
        Just(0x8000_0000),
        any::<u32>().prop_map(|x| (x as u64) << 32 | 0x8000_0000),
    ]
}

fn width(w32: bool) -> Width {
    if w32 {
        Width::W32
    } else {
        Width::W64
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn alu_on_constants_folds_to_the_isa_result(x in constant(), y in constant(), w32 in any::<bool>()) {
        let (dst, src) = (Scalar::konst(x), Scalar::konst(y));
        for op in AluOp::ALL {
            let expected = alu(width(w32), op, x, y);
            let r = dst.alu(op, &src, w32);
            prop_assert!(r.contains(expected), "{op:?} w32={w32} {x:#x} {y:#x} = {expected:#x} not in {r:?}");
            if Scalar::op_is_tracked(op, &src, w32) {
                prop_assert_eq!(r.const_value(), Some(expected), "{:?} w32={} {:#x} {:#x}: {:?}", op, w32, x, y, r);
            }
        }
    }

    #[test]
    fn sign_extension_of_a_constant_folds_to_the_isa_result(x in constant(), w32 in any::<bool>()) {
        let from: &[u8] = if w32 { &[8, 16] } else { &[8, 16, 32] };
        for &bits in from {
            let mut r = Scalar::konst(x);
            r.sign_extend(bits as u32, w32);
            let expected = movsx(width(w32), x, bits);
            prop_assert_eq!(r.const_value(), Some(expected), "movsx{} w32={} {:#x}: {:?}", bits, w32, x, r);
        }
    }

    #[test]
    fn branch_on_constants_is_decided_as_the_isa_jumps(x in constant(), y in constant(), w32 in any::<bool>()) {
        let (a, b) = (Scalar::konst(x), Scalar::konst(y));
        for op in JmpOp::ALL {
            let expected = jump_taken(width(w32), op, x, y);
            prop_assert_eq!(a.branch_taken(&b, op, w32), Some(expected), "{:?} w32={} {:#x} {:#x}", op, w32, x, y);
            // the side the program goes stays live and keeps both constants
            let (mut ta, mut tb) = (a, b);
            prop_assert!(Scalar::refine(&mut ta, &mut tb, op, w32, !expected), "{:?} w32={} {:#x} {:#x}: live side judged dead", op, w32, x, y);
            prop_assert!(ta.contains(x) && tb.contains(y));
        }
    }
}
