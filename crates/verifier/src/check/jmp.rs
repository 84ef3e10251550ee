//! Conditional jumps (`check_cond_jmp_op`): deciding branches that cannot be taken, NULL
//! checks that narrow every copy of a pointer, packet ranges learned from comparisons with
//! `pkt_end`, and scalar refinement propagated to linked copies.

use unwind_isa::{JmpOp, Operand, Width};

use super::{Env, Next, R};
use crate::bounds::{flip, Scalar};
use crate::state::{PtrKind, RegState, VerifierState};

impl Env<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_cond_jmp(
        &mut self,
        st: &mut VerifierState,
        width: Width,
        op: JmpOp,
        d: u8,
        src: Operand,
        pc: usize,
        target: usize,
    ) -> R<Next> {
        let jmp32 = width == Width::W32;
        let dst = self.read_reg(st, d)?;
        let (srcr, sreg) = match src {
            Operand::Reg(r) => {
                let v = self.read_reg(st, r.index())?;
                (v, Some(r.index()))
            }
            Operand::Imm(i) => {
                let v = if jmp32 {
                    i as u32 as u64
                } else {
                    i as i64 as u64
                };
                (RegState::konst(v), None)
            }
        };
        let fall = pc + 1;
        // is_branch_taken
        let mut taken = self.branch_taken(&dst, &srcr, op, jmp32);
        if taken.is_none() && matches!(op, JmpOp::Eq | JmpOp::Ne) && self.v2.decides_identity(pc) {
            taken = same_reference(st, &dst, &srcr).map(|same| same == (op == JmpOp::Eq));
        }
        match taken {
            Some(true) => return Ok(Next::Goto(target)),
            Some(false) => return Ok(Next::Goto(fall)),
            None => {}
        }
        let mut other = st.clone();
        // NULL checks: `if rX == 0` / `!= 0` on a maybe-NULL pointer
        if !jmp32 && matches!(op, JmpOp::Eq | JmpOp::Ne) {
            let null_check =
                |p: &RegState, k: &RegState| p.is_ptr() && p.maybe_null && k.is_const(0);
            let ptr = if null_check(&dst, &srcr) {
                Some(dst)
            } else if null_check(&srcr, &dst) {
                Some(srcr)
            } else {
                None
            };
            if let Some(p) = ptr {
                let id = p.id;
                // Eq: the jump sees NULL; Ne: the jump sees non-NULL
                other.mark_ptr_or_null(id, op == JmpOp::Eq);
                st.mark_ptr_or_null(id, op != JmpOp::Eq);
                self.push_branch(other, target, pc)?;
                return Ok(Next::Goto(fall));
            }
        }
        if let Some(s) = sreg {
            if dst.is_ptr() && srcr.is_ptr() && !jmp32 {
                self.pkt_compare(st, &mut other, op, d, s, &dst, &srcr);
            }
        }
        if dst.is_scalar() && srcr.is_scalar() {
            let mut td = dst.var;
            let mut ts = srcr.var;
            let mut fd = dst.var;
            let mut fs = srcr.var;
            let t_ok = Scalar::refine(&mut td, &mut ts, op, jmp32, false);
            let f_ok = Scalar::refine(&mut fd, &mut fs, op, jmp32, true);
            if !t_ok {
                if let Some(next) = self.apply_refined(st, d, sreg, fd, fs, fall) {
                    return Ok(next);
                }
            }
            if !f_ok {
                if let Some(next) = self.apply_refined(st, d, sreg, td, ts, target) {
                    return Ok(next);
                }
            }
            self.set_refined(&mut other, d, sreg, td, ts);
            self.set_refined(st, d, sreg, fd, fs);
            // `if r1 == r2` with both scalars links them on the equal side
        }
        self.push_branch(other, target, pc)?;
        Ok(Next::Goto(fall))
    }

    fn apply_refined(
        &mut self,
        st: &mut VerifierState,
        d: u8,
        sreg: Option<u8>,
        dv: Scalar,
        sv: Scalar,
        next: usize,
    ) -> Option<Next> {
        self.set_refined(st, d, sreg, dv, sv);
        Some(Next::Goto(next))
    }

    fn set_refined(
        &mut self,
        st: &mut VerifierState,
        d: u8,
        sreg: Option<u8>,
        dv: Scalar,
        sv: Scalar,
    ) {
        let r = st.reg_mut(d);
        r.var = dv;
        let known = *r;
        st.sync_linked_scalars(&known);
        if let Some(s) = sreg {
            let r = st.reg_mut(s);
            r.var = sv;
            let known = *r;
            st.sync_linked_scalars(&known);
        }
    }

    /// `is_branch_taken`, including pointers compared with 0 and packet pointers known to be
    /// at or beyond `pkt_end` (`is_pkt_ptr_branch_taken`).
    fn branch_taken(&self, a: &RegState, b: &RegState, op: JmpOp, jmp32: bool) -> Option<bool> {
        // `reg_is_pkt_pointer_any`: data, meta or end
        let pkt_any = |r: &RegState| {
            r.kind()
                .is_some_and(|k| k.is_pkt() || k == PtrKind::PacketEnd)
        };
        if pkt_any(a) && pkt_any(b) && !jmp32 {
            return pkt_ptr_branch_taken(a, b, op);
        }
        if a.is_ptr() || b.is_ptr() {
            let (p, k, op) = if b.is_scalar() {
                (a, b, op)
            } else if a.is_scalar() {
                (b, a, flip(op))
            } else {
                return None;
            };
            if !k.var.is_const_w(jmp32) || !p.not_null() || k.var.const_w(jmp32) != 0 {
                return None;
            }
            return match op {
                JmpOp::Eq => Some(false),
                JmpOp::Ne => Some(true),
                _ => None,
            };
        }
        a.var.branch_taken(&b.var, op, jmp32)
    }

    /// `try_match_pkt_pointers`: `find_good_pkt_pointers` on the side the comparison proves
    /// the pointer in bounds, `mark_pkt_end` on the other.
    #[allow(clippy::too_many_arguments)]
    fn pkt_compare(
        &mut self,
        fall: &mut VerifierState,
        taken: &mut VerifierState,
        op: JmpOp,
        d: u8,
        s: u8,
        dst: &RegState,
        src: &RegState,
    ) {
        let is_data = |r: &RegState| r.kind() == Some(PtrKind::Packet);
        let is_end = |r: &RegState| r.kind() == Some(PtrKind::PacketEnd);
        let is_meta = |r: &RegState| r.kind() == Some(PtrKind::PacketMeta);
        // `reg_is_init_pkt_pointer`: `data` itself, not a pointer moved from it
        let is_init_data =
            |r: &RegState| is_data(r) && r.off == 0 && r.var.is_const() && r.var.var_off.value == 0;
        let pair = |a: &RegState, b: &RegState| {
            (is_data(a) && is_end(b)) || (is_meta(a) && is_init_data(b))
        };
        // (state that learns, the pointer, right-open: the comparison is strict)
        let (learn_taken, ptr, open) = match op {
            JmpOp::Gt if pair(dst, src) => (false, *dst, false),
            JmpOp::Gt if pair(src, dst) => (true, *src, true),
            JmpOp::Lt if pair(dst, src) => (true, *dst, true),
            JmpOp::Lt if pair(src, dst) => (false, *src, false),
            JmpOp::Ge if pair(dst, src) => (false, *dst, true),
            JmpOp::Ge if pair(src, dst) => (true, *src, false),
            JmpOp::Le if pair(dst, src) => (true, *dst, false),
            JmpOp::Le if pair(src, dst) => (false, *src, true),
            _ => return,
        };
        // `mark_pkt_end`: on the other side the register itself (not its copies) is at
        // pkt_end (`pkt' >= end`) or beyond it (`pkt' > end`); meta pointers are not marked
        let regno = if pair(dst, src) { d } else { s };
        if is_data(&ptr) {
            let other = if learn_taken { &mut *fall } else { &mut *taken };
            other.reg_mut(regno).range = if open { AT_PKT_END } else { BEYOND_PKT_END };
        }
        self.find_good_pkt_pointers(if learn_taken { taken } else { fall }, &ptr, open);
    }

    /// `find_good_pkt_pointers`: every copy of `ptr` (same kind and id) may access `ptr.off`
    /// bytes (one more after a strict comparison).
    fn find_good_pkt_pointers(&mut self, st: &mut VerifierState, ptr: &RegState, open: bool) {
        if ptr.off < 0 || (ptr.off == 0 && open) {
            return;
        }
        if ptr.var.umax > 0xffff || ptr.var.umax + ptr.off as u64 > 0xffff {
            return;
        }
        // A strict comparison (`pkt' < end`, or `pkt' >= end` not taken) proves one byte more
        // than `pkt' <= end`: the kernel's `new_range++` since 5.16 ("Fix the off-by-two
        // error in range markings").
        let mut range = ptr.off;
        if open {
            range += 1;
        }
        let kind = ptr.kind();
        let id = ptr.id;
        st.for_each_reg(|r| {
            if r.kind() == kind && r.id == id {
                r.range = r.range.max(range);
            }
        });
    }
}

/// `mark_pkt_end`'s ranges: the pointer is at `pkt_end`, or at least one byte beyond it.
const AT_PKT_END: i32 = -1;
const BEYOND_PKT_END: i32 = -2;

/// `is_pkt_ptr_branch_taken`: a comparison of a packet pointer marked at or beyond
/// `pkt_end` with `pkt_end` is decided.
fn pkt_ptr_branch_taken(a: &RegState, b: &RegState, op: JmpOp) -> Option<bool> {
    let (pkt, op) = if b.kind() == Some(PtrKind::PacketEnd) {
        (a, op)
    } else if a.kind() == Some(PtrKind::PacketEnd) {
        (b, flip(op))
    } else {
        return None;
    };
    if pkt.range >= 0 {
        return None;
    }
    match op {
        // pkt <= end, pkt > end
        JmpOp::Le | JmpOp::Gt if pkt.range == BEYOND_PKT_END => Some(op == JmpOp::Gt),
        // pkt < end, pkt >= end
        JmpOp::Lt | JmpOp::Ge => Some(op == JmpOp::Ge),
        _ => None,
    }
}

/// Whether two referenced pointers, at least one of them not NULL, are the same pointer
/// (cleanup-v2's compares only): the same reference at the same offset is; a different
/// reference never is when the two are distinct objects by kind or by construction (or NULL
/// against a pointer that is not); two references from lookups of one kind may be one object.
fn same_reference(st: &VerifierState, a: &RegState, b: &RegState) -> Option<bool> {
    let referenced = |r: &RegState| {
        r.is_ptr() && r.ref_obj_id != 0 && r.var.is_const() && r.var.var_off.value == 0
    };
    if !referenced(a) || !referenced(b) || !(a.not_null() || b.not_null()) {
        return None;
    }
    if a.ref_obj_id != b.ref_obj_id {
        // Two references are two objects only when they are of different kinds or one was
        // made by its acquisition: two lookups of one cgroup give one pointer, counted twice.
        let kind = |r: &RegState| {
            st.refs
                .iter()
                .find(|x| x.id == r.ref_obj_id)
                .map(|x| x.kind)
        };
        return match (kind(a), kind(b)) {
            (Some(x), Some(y)) if x != y || x.distinct_by_construction() => Some(false),
            _ => None,
        };
    }
    (a.off == b.off && a.not_null() && b.not_null()).then_some(true)
}
