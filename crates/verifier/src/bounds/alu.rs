//! ALU transfer functions: what an operation on two scalars yields
//! (`adjust_scalar_min_max_vals`, `is_safe_to_compute_dst_reg_range` and the per-operation
//! `scalar_min_max_add`, `scalar32_min_max_sub`, `scalar_min_max_lsh`, ... with the tnum
//! arithmetic of `tnum_add`, `tnum_lshift`, ...).

use unwind_isa::AluOp;

use super::Scalar;

impl Scalar {
    /// `is_safe_to_compute_dst_reg_range`: which operations keep bounds.
    pub fn op_is_tracked(op: AluOp, src: &Scalar, alu32: bool) -> bool {
        match op {
            AluOp::Add | AluOp::Sub | AluOp::And | AluOp::Xor | AluOp::Or | AluOp::Mul => true,
            AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => {
                let bits = if alu32 { 32 } else { 64 };
                let is_const = if alu32 {
                    src.is_subreg_const()
                        && src.s32_min == src.s32_max
                        && src.u32_min == src.u32_max
                } else {
                    src.is_const() && src.smin == src.smax && src.umin == src.umax
                };
                is_const && src.umax < bits
            }
            _ => false,
        }
    }

    /// One ALU operation on two scalars (`adjust_scalar_min_max_vals`). `Mov` and the
    /// untracked operations give an unknown result.
    pub fn alu(&self, op: AluOp, src: &Scalar, alu32: bool) -> Scalar {
        let mut d = *self;
        if !Scalar::op_is_tracked(op, src, alu32) {
            return Scalar::unknown();
        }
        let s = *src;
        match op {
            AluOp::Add => {
                d.add32(&s);
                d.add64(&s);
                d.var_off = d.var_off.add(s.var_off);
            }
            AluOp::Sub => {
                d.sub32(&s);
                d.sub64(&s);
                d.var_off = d.var_off.sub(s.var_off);
            }
            AluOp::Mul => {
                d.var_off = d.var_off.mul(s.var_off);
                d.mul32(&s);
                d.mul64(&s);
            }
            AluOp::And => {
                d.var_off = d.var_off.and(s.var_off);
                d.and32(&s);
                d.and64(&s);
            }
            AluOp::Or => {
                d.var_off = d.var_off.or(s.var_off);
                d.or32(&s);
                d.or64(&s);
            }
            AluOp::Xor => {
                d.var_off = d.var_off.xor(s.var_off);
                d.xor32(&s);
                d.xor64(&s);
            }
            AluOp::Lsh => {
                if alu32 {
                    d.lsh32(&s)
                } else {
                    d.lsh64(&s)
                }
            }
            AluOp::Rsh => {
                if alu32 {
                    d.rsh32(&s)
                } else {
                    d.rsh64(&s)
                }
            }
            AluOp::Arsh => {
                if alu32 {
                    d.arsh32(&s)
                } else {
                    d.arsh64(&s)
                }
            }
            _ => return Scalar::unknown(),
        }
        if alu32 {
            d.zext_32_to_64();
        }
        d.sync();
        d
    }

    fn add32(&mut self, s: &Scalar) {
        match (
            self.s32_min.checked_add(s.s32_min),
            self.s32_max.checked_add(s.s32_max),
        ) {
            (Some(a), Some(b)) => {
                self.s32_min = a;
                self.s32_max = b;
            }
            _ => {
                self.s32_min = i32::MIN;
                self.s32_max = i32::MAX;
            }
        }
        match (
            self.u32_min.checked_add(s.u32_min),
            self.u32_max.checked_add(s.u32_max),
        ) {
            (Some(a), Some(b)) => {
                self.u32_min = a;
                self.u32_max = b;
            }
            _ => {
                self.u32_min = 0;
                self.u32_max = u32::MAX;
            }
        }
    }

    fn add64(&mut self, s: &Scalar) {
        match (self.smin.checked_add(s.smin), self.smax.checked_add(s.smax)) {
            (Some(a), Some(b)) => {
                self.smin = a;
                self.smax = b;
            }
            _ => {
                self.smin = i64::MIN;
                self.smax = i64::MAX;
            }
        }
        match (self.umin.checked_add(s.umin), self.umax.checked_add(s.umax)) {
            (Some(a), Some(b)) => {
                self.umin = a;
                self.umax = b;
            }
            _ => {
                self.umin = 0;
                self.umax = u64::MAX;
            }
        }
    }

    fn sub32(&mut self, s: &Scalar) {
        match (
            self.s32_min.checked_sub(s.s32_max),
            self.s32_max.checked_sub(s.s32_min),
        ) {
            (Some(a), Some(b)) => {
                self.s32_min = a;
                self.s32_max = b;
            }
            _ => {
                self.s32_min = i32::MIN;
                self.s32_max = i32::MAX;
            }
        }
        if self.u32_min < s.u32_max {
            self.u32_min = 0;
            self.u32_max = u32::MAX;
        } else {
            self.u32_min -= s.u32_max;
            self.u32_max -= s.u32_min;
        }
    }

    fn sub64(&mut self, s: &Scalar) {
        match (self.smin.checked_sub(s.smax), self.smax.checked_sub(s.smin)) {
            (Some(a), Some(b)) => {
                self.smin = a;
                self.smax = b;
            }
            _ => {
                self.smin = i64::MIN;
                self.smax = i64::MAX;
            }
        }
        if self.umin < s.umax {
            self.umin = 0;
            self.umax = u64::MAX;
        } else {
            self.umin -= s.umax;
            self.umax -= s.umin;
        }
    }

    fn mul32(&mut self, s: &Scalar) {
        if s.s32_min < 0 || self.s32_min < 0 {
            self.mark_32_unbounded();
            return;
        }
        if s.u32_max > u16::MAX as u32 || self.u32_max > u16::MAX as u32 {
            self.mark_32_unbounded();
            return;
        }
        self.u32_min *= s.u32_min;
        self.u32_max *= s.u32_max;
        if self.u32_max > i32::MAX as u32 {
            self.s32_min = i32::MIN;
            self.s32_max = i32::MAX;
        } else {
            self.s32_min = self.u32_min as i32;
            self.s32_max = self.u32_max as i32;
        }
    }

    fn mul64(&mut self, s: &Scalar) {
        if s.smin < 0 || self.smin < 0 {
            self.mark_64_unbounded();
            return;
        }
        if s.umax > u32::MAX as u64 || self.umax > u32::MAX as u64 {
            self.mark_64_unbounded();
            return;
        }
        self.umin *= s.umin;
        self.umax *= s.umax;
        if self.umax > i64::MAX as u64 {
            self.smin = i64::MIN;
            self.smax = i64::MAX;
        } else {
            self.smin = self.umin as i64;
            self.smax = self.umax as i64;
        }
    }

    fn signed_from_u32(&mut self) {
        if (self.u32_min as i32) <= (self.u32_max as i32) {
            self.s32_min = self.u32_min as i32;
            self.s32_max = self.u32_max as i32;
        } else {
            self.s32_min = i32::MIN;
            self.s32_max = i32::MAX;
        }
    }

    fn signed_from_u64(&mut self) {
        if (self.umin as i64) <= (self.umax as i64) {
            self.smin = self.umin as i64;
            self.smax = self.umax as i64;
        } else {
            self.smin = i64::MIN;
            self.smax = i64::MAX;
        }
    }

    fn mark_32_known(&mut self, v: u32) {
        self.s32_min = v as i32;
        self.s32_max = v as i32;
        self.u32_min = v;
        self.u32_max = v;
    }

    fn mark_64_known(&mut self, v: u64) {
        let t = self.var_off;
        *self = Scalar::konst(v);
        self.var_off = t;
    }

    fn and32(&mut self, s: &Scalar) {
        let v = self.var_off.subreg();
        if s.is_subreg_const() && v.is_const() {
            self.mark_32_known(v.value as u32);
            return;
        }
        self.u32_min = v.value as u32;
        self.u32_max = self.u32_max.min(s.u32_max);
        self.signed_from_u32();
    }

    fn and64(&mut self, s: &Scalar) {
        if s.is_const() && self.var_off.is_const() {
            self.mark_64_known(self.var_off.value);
            return;
        }
        self.umin = self.var_off.value;
        self.umax = self.umax.min(s.umax);
        self.signed_from_u64();
    }

    fn or32(&mut self, s: &Scalar) {
        let v = self.var_off.subreg();
        if s.is_subreg_const() && v.is_const() {
            self.mark_32_known(v.value as u32);
            return;
        }
        self.u32_min = self.u32_min.max(s.u32_min);
        self.u32_max = (v.value | v.mask) as u32;
        self.signed_from_u32();
    }

    fn or64(&mut self, s: &Scalar) {
        if s.is_const() && self.var_off.is_const() {
            self.mark_64_known(self.var_off.value);
            return;
        }
        self.umin = self.umin.max(s.umin);
        self.umax = self.var_off.umax();
        self.signed_from_u64();
    }

    fn xor32(&mut self, s: &Scalar) {
        let v = self.var_off.subreg();
        if s.is_subreg_const() && v.is_const() {
            self.mark_32_known(v.value as u32);
            return;
        }
        self.u32_min = v.value as u32;
        self.u32_max = (v.value | v.mask) as u32;
        self.signed_from_u32();
    }

    fn xor64(&mut self, s: &Scalar) {
        if s.is_const() && self.var_off.is_const() {
            self.mark_64_known(self.var_off.value);
            return;
        }
        self.umin = self.var_off.umin();
        self.umax = self.var_off.umax();
        self.signed_from_u64();
    }

    fn lsh32_bounds(&mut self, umin: u64, umax: u64) {
        self.s32_min = i32::MIN;
        self.s32_max = i32::MAX;
        if umax > 31 || self.u32_max as u64 > 1u64 << (31 - umax) {
            self.u32_min = 0;
            self.u32_max = u32::MAX;
        } else {
            self.u32_min <<= umin;
            self.u32_max <<= umax;
        }
    }

    fn lsh32(&mut self, s: &Scalar) {
        let sub = self.var_off.subreg();
        self.lsh32_bounds(s.u32_min as u64, s.u32_max as u64);
        self.var_off = sub.lshift(s.u32_min).subreg();
        self.mark_64_unbounded();
        self.update_32_bounds();
    }

    fn lsh64(&mut self, s: &Scalar) {
        let (umin, umax) = (s.umin, s.umax);
        // `<<32` of a non-negative subreg keeps its sign: the compiler's sign-extension idiom
        self.smax = if umin == 32 && umax == 32 && self.s32_max >= 0 {
            (self.s32_max as i64) << 32
        } else {
            i64::MAX
        };
        self.smin = if umin == 32 && umax == 32 && self.s32_min >= 0 {
            (self.s32_min as i64) << 32
        } else {
            i64::MIN
        };
        if self.umax > 1u64 << (63 - umax) {
            self.umin = 0;
            self.umax = u64::MAX;
        } else {
            self.umin <<= umin;
            self.umax <<= umax;
        }
        self.lsh32_bounds(umin, umax);
        self.var_off = self.var_off.lshift(umin as u32);
        self.update_bounds();
    }

    fn rsh32(&mut self, s: &Scalar) {
        let sub = self.var_off.subreg();
        self.s32_min = i32::MIN;
        self.s32_max = i32::MAX;
        self.var_off = sub.rshift(s.u32_min);
        self.u32_min >>= s.u32_max;
        self.u32_max >>= s.u32_min;
        self.mark_64_unbounded();
        self.update_32_bounds();
    }

    fn rsh64(&mut self, s: &Scalar) {
        self.smin = i64::MIN;
        self.smax = i64::MAX;
        self.var_off = self.var_off.rshift(s.umin as u32);
        self.umin >>= s.umax;
        self.umax >>= s.umin;
        self.mark_32_unbounded();
        self.update_bounds();
    }

    fn arsh32(&mut self, s: &Scalar) {
        let sh = s.u32_min;
        self.s32_min >>= sh;
        self.s32_max >>= sh;
        self.var_off = self.var_off.subreg().arshift(sh, 32);
        self.u32_min = 0;
        self.u32_max = u32::MAX;
        self.mark_64_unbounded();
        self.update_32_bounds();
    }

    fn arsh64(&mut self, s: &Scalar) {
        let sh = s.umin as u32;
        self.smin >>= sh;
        self.smax >>= sh;
        self.var_off = self.var_off.arshift(sh, 64);
        self.umin = 0;
        self.umax = u64::MAX;
        self.mark_32_unbounded();
        self.update_bounds();
    }
}
