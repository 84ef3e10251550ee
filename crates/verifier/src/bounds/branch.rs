//! Conditional jumps on scalars: whether a branch is decided (`is_scalar_branch_taken`) and
//! what each side learns about both operands (`regs_refine_cond_op` followed by
//! `reg_bounds_sync`, as in `reg_set_min_max`), with the opcode rewrites `rev_opcode` and
//! `flip_opcode`.

use unwind_isa::{semantics, JmpOp, Width};

use super::Scalar;
use crate::tnum::Tnum;

impl Scalar {
    /// `is_scalar_branch_taken`: `Some(true)` when the jump is always taken, `Some(false)`
    /// when never, `None` when either can happen.
    pub fn branch_taken(&self, other: &Scalar, op: JmpOp, jmp32: bool) -> Option<bool> {
        let (a, b) = (self, other);
        let t1 = if jmp32 { a.var_off.subreg() } else { a.var_off };
        let t2 = if jmp32 { b.var_off.subreg() } else { b.var_off };
        let (umin1, umax1, smin1, smax1) = a.view(jmp32);
        let (umin2, umax2, smin2, smax2) = b.view(jmp32);
        match op {
            JmpOp::Eq | JmpOp::Ne => {
                if t1.is_const() && t2.is_const() {
                    let width = if jmp32 { Width::W32 } else { Width::W64 };
                    return Some(semantics::jump_taken(width, op, t1.value, t2.value));
                }
                let disjoint = umin1 > umax2
                    || umax1 < umin2
                    || smin1 > smax2
                    || smax1 < smin2
                    || (!jmp32
                        && (a.u32_min > b.u32_max
                            || a.u32_max < b.u32_min
                            || a.s32_min > b.s32_max
                            || a.s32_max < b.s32_min))
                    || (t1.value ^ t2.value) & !(t1.mask | t2.mask) != 0;
                if disjoint {
                    return Some(op == JmpOp::Ne);
                }
                None
            }
            JmpOp::Set => {
                let (t1, t2) = if b.is_const_w(jmp32) {
                    (t1, t2)
                } else if a.is_const_w(jmp32) {
                    (t2, t1)
                } else {
                    return None;
                };
                if t1.value & !t1.mask & t2.value != 0 {
                    return Some(true);
                }
                if (t1.mask | t1.value) & t2.value == 0 {
                    return Some(false);
                }
                None
            }
            JmpOp::Gt => decide(umin1 > umax2, umax1 <= umin2),
            JmpOp::Ge => decide(umin1 >= umax2, umax1 < umin2),
            JmpOp::Lt => decide(umax1 < umin2, umin1 >= umax2),
            JmpOp::Le => decide(umax1 <= umin2, umin1 > umax2),
            JmpOp::Sgt => decide(smin1 > smax2, smax1 <= smin2),
            JmpOp::Sge => decide(smin1 >= smax2, smax1 < smin2),
            JmpOp::Slt => decide(smax1 < smin2, smin1 >= smax2),
            JmpOp::Sle => decide(smax1 <= smin2, smin1 > smax2),
        }
    }

    fn view(&self, jmp32: bool) -> (u64, u64, i64, i64) {
        if jmp32 {
            (
                self.u32_min as u64,
                self.u32_max as u64,
                self.s32_min as i64,
                self.s32_max as i64,
            )
        } else {
            (self.umin, self.umax, self.smin, self.smax)
        }
    }

    /// Refines both operands for the branch where `a op b` holds (`regs_refine_cond_op` with
    /// `reg_bounds_sync`). Returns `false` when that branch is impossible. `negated` asks for
    /// the branch where the comparison is false.
    pub fn refine(a: &mut Scalar, b: &mut Scalar, op: JmpOp, jmp32: bool, negated: bool) -> bool {
        match (op, negated) {
            (JmpOp::Set, false) => refine_set(a, b, jmp32, true),
            (JmpOp::Set, true) => refine_set(a, b, jmp32, false),
            (op, neg) => {
                let op = if neg { reverse(op) } else { op };
                refine_cmp(a, b, op, jmp32);
            }
        }
        if a.is_empty() || b.is_empty() {
            return false;
        }
        a.sync();
        b.sync();
        !(a.is_empty() || b.is_empty())
    }
}

fn decide(always: bool, never: bool) -> Option<bool> {
    if always {
        Some(true)
    } else if never {
        Some(false)
    } else {
        None
    }
}

/// The comparison that holds when `op` does not (`rev_opcode`).
pub fn reverse(op: JmpOp) -> JmpOp {
    match op {
        JmpOp::Eq => JmpOp::Ne,
        JmpOp::Ne => JmpOp::Eq,
        JmpOp::Gt => JmpOp::Le,
        JmpOp::Ge => JmpOp::Lt,
        JmpOp::Lt => JmpOp::Ge,
        JmpOp::Le => JmpOp::Gt,
        JmpOp::Sgt => JmpOp::Sle,
        JmpOp::Sge => JmpOp::Slt,
        JmpOp::Slt => JmpOp::Sge,
        JmpOp::Sle => JmpOp::Sgt,
        JmpOp::Set => JmpOp::Set,
    }
}

/// The comparison with its operands swapped (`flip_opcode`).
pub fn flip(op: JmpOp) -> JmpOp {
    match op {
        JmpOp::Gt => JmpOp::Lt,
        JmpOp::Ge => JmpOp::Le,
        JmpOp::Lt => JmpOp::Gt,
        JmpOp::Le => JmpOp::Ge,
        JmpOp::Sgt => JmpOp::Slt,
        JmpOp::Sge => JmpOp::Sle,
        JmpOp::Slt => JmpOp::Sgt,
        JmpOp::Sle => JmpOp::Sge,
        o => o,
    }
}

fn refine_set(a: &mut Scalar, b: &mut Scalar, jmp32: bool, taken: bool) {
    let (r, k) = if b.is_const_w(jmp32) {
        (a, *b)
    } else if a.is_const_w(jmp32) {
        (b, *a)
    } else {
        return;
    };
    let val = k.const_w(jmp32);
    if taken {
        // `r & val` non-zero teaches a bit only when val has exactly one
        if !val.is_power_of_two() {
            return;
        }
        if jmp32 {
            let t = r.var_off.subreg().or(Tnum::konst(val));
            r.var_off = r.var_off.with_subreg(t);
        } else {
            r.var_off = r.var_off.or(Tnum::konst(val));
        }
    } else if jmp32 {
        let t = r.var_off.subreg().and(Tnum::konst(!val));
        r.var_off = r.var_off.with_subreg(t);
    } else {
        r.var_off = r.var_off.and(Tnum::konst(!val));
    }
}

fn refine_cmp(a: &mut Scalar, b: &mut Scalar, op: JmpOp, jmp32: bool) {
    // GT/GE/SGT/SGE reuse LT/LE/SLT/SLE with the operands swapped
    let (r1, r2, op) = match op {
        JmpOp::Gt | JmpOp::Ge | JmpOp::Sgt | JmpOp::Sge => (b, a, flip(op)),
        _ => (a, b, op),
    };
    match op {
        JmpOp::Eq => {
            if jmp32 {
                r1.u32_min = r1.u32_min.max(r2.u32_min);
                r1.u32_max = r1.u32_max.min(r2.u32_max);
                r1.s32_min = r1.s32_min.max(r2.s32_min);
                r1.s32_max = r1.s32_max.min(r2.s32_max);
                r2.u32_min = r1.u32_min;
                r2.u32_max = r1.u32_max;
                r2.s32_min = r1.s32_min;
                r2.s32_max = r1.s32_max;
                let t = r1.var_off.subreg().intersect(r2.var_off.subreg());
                if (r1.var_off.subreg().value ^ r2.var_off.subreg().value)
                    & !(r1.var_off.mask | r2.var_off.mask)
                    & 0xffff_ffff
                    != 0
                {
                    r1.u32_min = 1;
                    r1.u32_max = 0;
                    return;
                }
                r1.var_off = r1.var_off.with_subreg(t);
                r2.var_off = r2.var_off.with_subreg(t);
            } else {
                r1.umin = r1.umin.max(r2.umin);
                r1.umax = r1.umax.min(r2.umax);
                r1.smin = r1.smin.max(r2.smin);
                r1.smax = r1.smax.min(r2.smax);
                r2.umin = r1.umin;
                r2.umax = r1.umax;
                r2.smin = r1.smin;
                r2.smax = r1.smax;
                if (r1.var_off.value ^ r2.var_off.value) & !(r1.var_off.mask | r2.var_off.mask) != 0
                {
                    r1.umin = 1;
                    r1.umax = 0;
                    return;
                }
                r1.var_off = r1.var_off.intersect(r2.var_off);
                r2.var_off = r1.var_off;
            }
        }
        JmpOp::Ne => {
            let (r1, r2) = if r2.is_const_w(jmp32) {
                (r1, r2)
            } else if r1.is_const_w(jmp32) {
                (r2, r1)
            } else {
                return;
            };
            let val = r2.const_w(jmp32);
            if jmp32 {
                if r1.is_subreg_const() && r1.var_off.value as u32 == val as u32 {
                    r1.u32_min = 1;
                    r1.u32_max = 0;
                    return;
                }
                if r1.u32_min == val as u32 {
                    r1.u32_min += 1;
                }
                if r1.u32_max == val as u32 {
                    r1.u32_max -= 1;
                }
                if r1.s32_min == val as i32 {
                    r1.s32_min += 1;
                }
                if r1.s32_max == val as i32 {
                    r1.s32_max -= 1;
                }
            } else {
                if r1.is_const() && r1.var_off.value == val {
                    r1.umin = 1;
                    r1.umax = 0;
                    return;
                }
                if r1.umin == val {
                    r1.umin += 1;
                }
                if r1.umax == val {
                    r1.umax -= 1;
                }
                if r1.smin == val as i64 {
                    r1.smin += 1;
                }
                if r1.smax == val as i64 {
                    r1.smax -= 1;
                }
            }
        }
        JmpOp::Le | JmpOp::Lt => {
            let strict = (op == JmpOp::Lt) as u64;
            if jmp32 {
                if strict == 1 && (r2.u32_max == 0 || r1.u32_min == u32::MAX) {
                    r1.u32_min = 1;
                    r1.u32_max = 0;
                    return;
                }
                r1.u32_max = r1.u32_max.min(r2.u32_max - strict as u32);
                r2.u32_min = r2.u32_min.max(r1.u32_min + strict as u32);
            } else {
                if strict == 1 && (r2.umax == 0 || r1.umin == u64::MAX) {
                    r1.umin = 1;
                    r1.umax = 0;
                    return;
                }
                r1.umax = r1.umax.min(r2.umax - strict);
                r2.umin = r2.umin.max(r1.umin + strict);
            }
        }
        JmpOp::Sle | JmpOp::Slt => {
            let strict = (op == JmpOp::Slt) as i64;
            if jmp32 {
                if strict == 1 && (r2.s32_max == i32::MIN || r1.s32_min == i32::MAX) {
                    r1.s32_min = 1;
                    r1.s32_max = 0;
                    return;
                }
                r1.s32_max = r1.s32_max.min(r2.s32_max - strict as i32);
                r2.s32_min = r2.s32_min.max(r1.s32_min + strict as i32);
            } else {
                if strict == 1 && (r2.smax == i64::MIN || r1.smin == i64::MAX) {
                    r1.smin = 1;
                    r1.smax = 0;
                    return;
                }
                r1.smax = r1.smax.min(r2.smax - strict);
                r2.smin = r2.smin.max(r1.smin + strict);
            }
        }
        _ => {}
    }
}
