//! The scalar domain: a tnum plus unsigned and signed 64- and 32-bit ranges, and how each
//! component is learned from the others. Mirrors the kernel's `reg_bounds_sync` with
//! `__update_reg_bounds`, `__reg_deduce_bounds` and `__reg_bound_offset`, and the casts
//! `zext_32_to_64`, `coerce_reg_to_size` and `coerce_reg_to_size_sx`.

use serde::Serialize;

use crate::tnum::Tnum;

/// What is known of a scalar register: the numbers that satisfy every component at once.
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

    pub(super) fn update_32_bounds(&mut self) {
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
}
