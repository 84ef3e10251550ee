//! Scalar bounds: a tnum plus unsigned and signed 64- and 32-bit ranges kept in sync, the
//! arithmetic on them, and what a conditional jump teaches (the kernel's `reg_bounds_sync`,
//! `adjust_scalar_min_max_vals`, `is_scalar_branch_taken` and `regs_refine_cond_op`).

use serde::Serialize;
use unwind_isa::{AluOp, JmpOp};

use crate::tnum::Tnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Scalar {
    pub var_off: Tnum,
    pub smin: i64,
    pub smax: i64,
    pub umin: u64,
    pub umax: u64,
    pub s32_min: i32,
    pub s32_max: i32,
    pub u32_min: u32,
    pub u32_max: u32,
}

impl Default for Scalar {
    fn default() -> Self {
        Scalar::unknown()
    }
}

impl Scalar {
    pub const fn unknown() -> Scalar {
        Scalar {
            var_off: Tnum::UNKNOWN,
            smin: i64::MIN,
            smax: i64::MAX,
            umin: 0,
            umax: u64::MAX,
            s32_min: i32::MIN,
            s32_max: i32::MAX,
            u32_min: 0,
            u32_max: u32::MAX,
        }
    }

    /// `__mark_reg_known`.
    pub const fn konst(v: u64) -> Scalar {
        Scalar {
            var_off: Tnum::konst(v),
            smin: v as i64,
            smax: v as i64,
            umin: v,
            umax: v,
            s32_min: v as u32 as i32,
            s32_max: v as u32 as i32,
            u32_min: v as u32,
            u32_max: v as u32,
        }
    }

    /// Any value in [min, max] (unsigned).
    pub fn urange(min: u64, max: u64) -> Scalar {
        let mut s = Scalar::unknown();
        s.umin = min;
        s.umax = max;
        s.sync();
        s
    }

    /// Any value in [min, max] (signed).
    pub fn srange(min: i64, max: i64) -> Scalar {
        let mut s = Scalar::unknown();
        s.smin = min;
        s.smax = max;
        s.sync();
        s
    }

    pub fn is_const(&self) -> bool {
        self.var_off.is_const()
    }

    pub fn const_value(&self) -> Option<u64> {
        self.is_const().then_some(self.var_off.value)
    }

    pub fn is_subreg_const(&self) -> bool {
        self.var_off.subreg().is_const()
    }

    /// Whether this (64-bit or 32-bit view) is one known number.
    pub fn is_const_w(&self, jmp32: bool) -> bool {
        if jmp32 {
            self.is_subreg_const()
        } else {
            self.is_const()
        }
    }

    pub fn const_w(&self, jmp32: bool) -> u64 {
        if jmp32 {
            self.var_off.value as u32 as u64
        } else {
            self.var_off.value
        }
    }

    pub fn is_unknown(&self) -> bool {
        *self == Scalar::unknown()
    }

    /// Whether `x` is a member (used by the soundness tests).
    pub fn contains(&self, x: u64) -> bool {
        let x32 = x as u32;
        self.var_off.contains(x)
            && (self.smin..=self.smax).contains(&(x as i64))
            && (self.umin..=self.umax).contains(&x)
            && (self.s32_min..=self.s32_max).contains(&(x32 as i32))
            && (self.u32_min..=self.u32_max).contains(&x32)
    }

    /// Whether no number satisfies every component (a dead branch).
    pub fn is_empty(&self) -> bool {
        self.smin > self.smax
            || self.umin > self.umax
            || self.s32_min > self.s32_max
            || self.u32_min > self.u32_max
            || self.var_off.value & self.var_off.mask != 0
            || !self.var_off_fits()
    }

    fn var_off_fits(&self) -> bool {
        // the tnum's smallest member must not exceed umax, its largest not be below umin
        self.var_off.umin() <= self.umax && self.var_off.umax() >= self.umin
    }

    /// Whether every member of `other` is a member of `self` (`range_within` + `tnum_in`).
    pub fn includes(&self, o: &Scalar) -> bool {
        self.umin <= o.umin
            && self.umax >= o.umax
            && self.smin <= o.smin
            && self.smax >= o.smax
            && self.u32_min <= o.u32_min
            && self.u32_max >= o.u32_max
            && self.s32_min <= o.s32_min
            && self.s32_max >= o.s32_max
            && self.var_off.includes(o.var_off)
    }

    pub fn mark_32_unbounded(&mut self) {
        self.s32_min = i32::MIN;
        self.s32_max = i32::MAX;
        self.u32_min = 0;
        self.u32_max = u32::MAX;
    }

    pub fn mark_64_unbounded(&mut self) {
        self.smin = i64::MIN;
        self.smax = i64::MAX;
        self.umin = 0;
        self.umax = u64::MAX;
    }

    // ---- reg_bounds_sync -------------------------------------------------------------

    fn update_32_bounds(&mut self) {
        let v = self.var_off.subreg();
        self.s32_min = self
            .s32_min
            .max((v.value | (v.mask & 0x8000_0000)) as u32 as i32);
        self.s32_max = self
            .s32_max
            .min((v.value | (v.mask & 0x7fff_ffff)) as u32 as i32);
        self.u32_min = self.u32_min.max(v.value as u32);
        self.u32_max = self.u32_max.min((v.value | v.mask) as u32);
    }

    fn update_64_bounds(&mut self) {
        let v = self.var_off;
        self.smin = self.smin.max((v.value | (v.mask & (1 << 63))) as i64);
        self.smax = self.smax.min((v.value | (v.mask & !(1u64 << 63))) as i64);
        self.umin = self.umin.max(v.value);
        self.umax = self.umax.min(v.value | v.mask);
    }

    /// `__update_reg_bounds`.
    pub fn update_bounds(&mut self) {
        self.update_32_bounds();
        self.update_64_bounds();
    }

    fn deduce_32(&mut self) {
        if self.umin >> 32 == self.umax >> 32 {
            self.u32_min = self.u32_min.max(self.umin as u32);
            self.u32_max = self.u32_max.min(self.umax as u32);
            if (self.umin as i32) <= (self.umax as i32) {
                self.s32_min = self.s32_min.max(self.umin as i32);
                self.s32_max = self.s32_max.min(self.umax as i32);
            }
        }
        if self.smin >> 32 == self.smax >> 32 {
            self.u32_min = self.u32_min.max(self.smin as u32);
            self.u32_max = self.u32_max.min(self.smax as u32);
            if (self.smin as i32) <= (self.smax as i32) {
                self.s32_min = self.s32_min.max(self.smin as i32);
                self.s32_max = self.s32_max.min(self.smax as i32);
            }
        }
        if ((self.umin >> 32) as u32).wrapping_add(1) == (self.umax >> 32) as u32
            && (self.umin as i32) < 0
            && (self.umax as i32) >= 0
        {
            self.s32_min = self.s32_min.max(self.umin as i32);
            self.s32_max = self.s32_max.min(self.umax as i32);
        }
        if ((self.smin >> 32) as u32).wrapping_add(1) == (self.smax >> 32) as u32
            && (self.smin as i32) < 0
            && (self.smax as i32) >= 0
        {
            self.s32_min = self.s32_min.max(self.smin as i32);
            self.s32_max = self.s32_max.min(self.smax as i32);
        }
        if (self.u32_min as i32) <= (self.u32_max as i32) {
            self.s32_min = self.s32_min.max(self.u32_min as i32);
            self.s32_max = self.s32_max.min(self.u32_max as i32);
        }
        if (self.s32_min as u32) <= (self.s32_max as u32) {
            self.u32_min = self.u32_min.max(self.s32_min as u32);
            self.u32_max = self.u32_max.min(self.s32_max as u32);
        }
    }

    fn deduce_64(&mut self) {
        if (self.umin as i64) <= (self.umax as i64) {
            self.smin = self.smin.max(self.umin as i64);
            self.smax = self.smax.min(self.umax as i64);
        }
        if (self.smin as u64) <= (self.smax as u64) {
            self.umin = self.umin.max(self.smin as u64);
            self.umax = self.umax.min(self.smax as u64);
        } else if self.umax < self.smin as u64 {
            // the s64 range wraps; the u64 range sits in its upper (non-negative) half
            self.smin = self.umin as i64;
            self.umax = self.umax.min(self.smax as u64);
        } else if (self.smax as u64) < self.umin {
            self.smax = self.umax as i64;
            self.umin = self.umin.max(self.smin as u64);
        }
    }

    fn deduce_mixed(&mut self) {
        const HI: u64 = !0xffff_ffffu64;
        let new_umin = (self.umin & HI) | self.u32_min as u64;
        let new_umax = (self.umax & HI) | self.u32_max as u64;
        self.umin = self.umin.max(new_umin);
        self.umax = self.umax.min(new_umax);
        let new_smin = ((self.smin as u64 & HI) | self.u32_min as u64) as i64;
        let new_smax = ((self.smax as u64 & HI) | self.u32_max as u64) as i64;
        self.smin = self.smin.max(new_smin);
        self.smax = self.smax.min(new_smax);
        if (self.s32_min as u32) <= (self.s32_max as u32) {
            let new_umin = (self.umin & HI) | self.s32_min as u32 as u64;
            let new_umax = (self.umax & HI) | self.s32_max as u32 as u64;
            self.umin = self.umin.max(new_umin);
            self.umax = self.umax.min(new_umax);
            let new_smin = ((self.smin as u64 & HI) | self.s32_min as u32 as u64) as i64;
            let new_smax = ((self.smax as u64 & HI) | self.s32_max as u32 as u64) as i64;
            self.smin = self.smin.max(new_smin);
            self.smax = self.smax.min(new_smax);
        }
        if self.s32_min >= 0 && self.smin >= i32::MIN as i64 && self.smax <= i32::MAX as i64 {
            self.smin = self.s32_min as i64;
            self.smax = self.s32_max as i64;
            self.umin = self.s32_min as u64;
            self.umax = self.s32_max as u64;
            self.var_off = self
                .var_off
                .intersect(Tnum::range(self.smin as u64, self.smax as u64));
        }
    }

    /// `__reg_deduce_bounds`.
    fn deduce(&mut self) {
        self.deduce_32();
        self.deduce_64();
        self.deduce_mixed();
    }

    /// `__reg_bound_offset`.
    fn bound_offset(&mut self) {
        let v64 = self.var_off.intersect(Tnum::range(self.umin, self.umax));
        let v32 = v64
            .subreg()
            .intersect(Tnum::range(self.u32_min as u64, self.u32_max as u64));
        self.var_off = v64.clear_subreg().or(v32);
    }

    /// `reg_bounds_sync`: learn each component from the others. On an empty set the result
    /// is meaningless; callers check [`Scalar::is_empty`] first where that can happen.
    pub fn sync(&mut self) {
        if self.is_empty() {
            return;
        }
        self.update_bounds();
        self.deduce();
        self.deduce();
        self.bound_offset();
        self.update_bounds();
    }

    /// `zext_32_to_64`: the result of an ALU32 operation.
    pub fn zext_32_to_64(&mut self) {
        self.var_off = self.var_off.subreg();
        self.umin = self.u32_min as u64;
        self.umax = self.u32_max as u64;
        if self.s32_min >= 0 && self.s32_max >= 0 {
            self.smin = self.s32_min as i64;
            self.smax = self.s32_max as i64;
        } else {
            self.smin = 0;
            self.smax = u32::MAX as i64;
        }
    }

    /// Truncation to `size` bytes, zero-extended (`coerce_reg_to_size`).
    pub fn coerce_to_size(&mut self, size: u32) {
        if size >= 8 {
            return;
        }
        self.var_off = self.var_off.cast(size);
        let mask = (1u64 << (size * 8)) - 1;
        if self.umin & !mask == self.umax & !mask {
            self.umin &= mask;
            self.umax &= mask;
        } else {
            self.umin = 0;
            self.umax = mask;
        }
        self.smin = self.umin as i64;
        self.smax = self.umax as i64;
        self.mark_32_unbounded();
        if size == 4 || self.umax <= u32::MAX as u64 {
            self.u32_min = self.umin as u32;
            self.u32_max = self.umax as u32;
            self.s32_min = i32::MIN;
            self.s32_max = i32::MAX;
        }
        self.sync();
    }

    /// Sign extension from `bits` (8, 16, 32) to 64 bits (`coerce_reg_to_size_sx`), or only to
    /// 32 bits with the upper half zeroed when `to32`.
    pub fn sign_extend(&mut self, bits: u32, to32: bool) {
        let shift = 64 - bits;
        let ext = |v: u64| ((v << shift) as i64) >> shift;
        let src = if to32 {
            self.var_off.subreg()
        } else {
            self.var_off
        };
        let (lo, hi) = if src.is_const() {
            let v = ext(src.value);
            (v, v)
        } else {
            // the low `bits` of every member, when they form one run that does not cross the
            // sign bit, keep their order
            let m = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            let (umin, umax) = if to32 {
                (self.u32_min as u64, self.u32_max as u64)
            } else {
                (self.umin, self.umax)
            };
            let half = 1u64 << (bits - 1);
            if umin & !m == umax & !m && ((umin & m) < half) == ((umax & m) < half) {
                (ext(umin & m), ext(umax & m))
            } else {
                (-(half as i64), half as i64 - 1)
            }
        };
        let mut r = Scalar::srange(lo, hi);
        if to32 {
            // the 32-bit view holds the sign-extended value; the upper half is zero
            let mut s = Scalar::unknown();
            s.s32_min = lo as i32;
            s.s32_max = hi as i32;
            if lo == hi {
                s = Scalar::konst(lo as u32 as u64);
            } else {
                s.var_off = Tnum::UNKNOWN.subreg();
                s.zext_32_to_64();
                s.sync();
            }
            r = s;
        }
        *self = r;
    }

    // ---- arithmetic ------------------------------------------------------------------

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

    // ---- comparisons -----------------------------------------------------------------

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
                let ne = op == JmpOp::Ne;
                if t1.is_const() && t2.is_const() {
                    return Some((t1.value == t2.value) != ne);
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
                    return Some(ne);
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

/// The concrete result of an ALU operation as the ISA defines it (for the soundness tests
/// and for folding).
pub fn concrete_alu(op: AluOp, a: u64, b: u64, alu32: bool) -> u64 {
    if alu32 {
        let (x, y) = (a as u32, b as u32);
        let r = match op {
            AluOp::Add => x.wrapping_add(y),
            AluOp::Sub => x.wrapping_sub(y),
            AluOp::Mul => x.wrapping_mul(y),
            AluOp::Div => x.checked_div(y).unwrap_or(0),
            AluOp::Sdiv => {
                if y == 0 {
                    0
                } else {
                    (x as i32).wrapping_div(y as i32) as u32
                }
            }
            AluOp::Mod => x.checked_rem(y).unwrap_or(x),
            AluOp::Smod => {
                if y == 0 {
                    x
                } else {
                    (x as i32).wrapping_rem(y as i32) as u32
                }
            }
            AluOp::Or => x | y,
            AluOp::And => x & y,
            AluOp::Xor => x ^ y,
            AluOp::Lsh => x.wrapping_shl(y & 31),
            AluOp::Rsh => x.wrapping_shr(y & 31),
            AluOp::Arsh => ((x as i32).wrapping_shr(y & 31)) as u32,
            AluOp::Mov => y,
        };
        r as u64
    } else {
        match op {
            AluOp::Add => a.wrapping_add(b),
            AluOp::Sub => a.wrapping_sub(b),
            AluOp::Mul => a.wrapping_mul(b),
            AluOp::Div => a.checked_div(b).unwrap_or(0),
            AluOp::Sdiv => {
                if b == 0 {
                    0
                } else {
                    (a as i64).wrapping_div(b as i64) as u64
                }
            }
            AluOp::Mod => a.checked_rem(b).unwrap_or(a),
            AluOp::Smod => {
                if b == 0 {
                    a
                } else {
                    (a as i64).wrapping_rem(b as i64) as u64
                }
            }
            AluOp::Or => a | b,
            AluOp::And => a & b,
            AluOp::Xor => a ^ b,
            AluOp::Lsh => a.wrapping_shl((b & 63) as u32),
            AluOp::Rsh => a.wrapping_shr((b & 63) as u32),
            AluOp::Arsh => ((a as i64).wrapping_shr((b & 63) as u32)) as u64,
            AluOp::Mov => b,
        }
    }
}

/// Whether `a op b` holds concretely.
pub fn concrete_cmp(op: JmpOp, a: u64, b: u64, jmp32: bool) -> bool {
    let (a, b) = if jmp32 {
        (a as u32 as u64, b as u32 as u64)
    } else {
        (a, b)
    };
    let (sa, sb) = if jmp32 {
        (a as u32 as i32 as i64, b as u32 as i32 as i64)
    } else {
        (a as i64, b as i64)
    };
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
