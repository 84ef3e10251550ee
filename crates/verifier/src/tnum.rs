//! Tracked numbers: a value/mask pair where mask bits are unknown and value bits are the known
//! ones (kernel/bpf/tnum.c semantics, written anew). Every operation over-approximates: the
//! concrete result of any pair of members is a member of the result.

// `add`/`sub`/`mul` are the kernel's names; operator traits would hide the approximation.
#![allow(clippy::should_implement_trait)]

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Tnum {
    pub value: u64,
    pub mask: u64,
}

impl Tnum {
    pub const UNKNOWN: Tnum = Tnum {
        value: 0,
        mask: u64::MAX,
    };

    pub const fn new(value: u64, mask: u64) -> Tnum {
        Tnum { value, mask }
    }

    pub const fn konst(v: u64) -> Tnum {
        Tnum { value: v, mask: 0 }
    }

    /// The smallest tnum holding every number in [min, max] (`tnum_range`).
    pub fn range(min: u64, max: u64) -> Tnum {
        let chi = min ^ max;
        let bits = 64 - chi.leading_zeros();
        if bits > 63 {
            return Tnum::UNKNOWN;
        }
        let delta = (1u64 << bits) - 1;
        Tnum::new(min & !delta, delta)
    }

    pub fn is_const(self) -> bool {
        self.mask == 0
    }

    pub fn is_unknown(self) -> bool {
        self.mask == u64::MAX
    }

    pub fn contains(self, x: u64) -> bool {
        x & !self.mask == self.value
    }

    /// Whether every member of `inner` is a member of `self` (`tnum_in`).
    pub fn includes(self, inner: Tnum) -> bool {
        if inner.mask & !self.mask != 0 {
            return false;
        }
        self.value == inner.value & !self.mask
    }

    pub fn lshift(self, s: u32) -> Tnum {
        Tnum::new(self.value.wrapping_shl(s), self.mask.wrapping_shl(s))
    }

    pub fn rshift(self, s: u32) -> Tnum {
        Tnum::new(self.value.wrapping_shr(s), self.mask.wrapping_shr(s))
    }

    /// Arithmetic right shift at 32 or 64 bits (`tnum_arshift`).
    pub fn arshift(self, s: u32, bits: u32) -> Tnum {
        if bits == 32 {
            Tnum::new(
                ((self.value as u32 as i32) >> s) as u32 as u64,
                ((self.mask as u32 as i32) >> s) as u32 as u64,
            )
        } else {
            Tnum::new(
                ((self.value as i64) >> s) as u64,
                ((self.mask as i64) >> s) as u64,
            )
        }
    }

    pub fn add(self, b: Tnum) -> Tnum {
        let sm = self.mask.wrapping_add(b.mask);
        let sv = self.value.wrapping_add(b.value);
        let sigma = sm.wrapping_add(sv);
        let chi = sigma ^ sv;
        let mu = chi | self.mask | b.mask;
        Tnum::new(sv & !mu, mu)
    }

    pub fn sub(self, b: Tnum) -> Tnum {
        let dv = self.value.wrapping_sub(b.value);
        let alpha = dv.wrapping_add(self.mask);
        let beta = dv.wrapping_sub(b.mask);
        let chi = alpha ^ beta;
        let mu = chi | self.mask | b.mask;
        Tnum::new(dv & !mu, mu)
    }

    pub fn and(self, b: Tnum) -> Tnum {
        let alpha = self.value | self.mask;
        let beta = b.value | b.mask;
        let v = self.value & b.value;
        Tnum::new(v, alpha & beta & !v)
    }

    pub fn or(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask | b.mask;
        Tnum::new(v, mu & !v)
    }

    pub fn xor(self, b: Tnum) -> Tnum {
        let v = self.value ^ b.value;
        let mu = self.mask | b.mask;
        Tnum::new(v & !mu, mu)
    }

    /// Shift-and-add multiplication (`tnum_mul`).
    pub fn mul(self, b: Tnum) -> Tnum {
        let mut a = self;
        let mut b = b;
        let acc_v = a.value.wrapping_mul(b.value);
        let mut acc_m = Tnum::konst(0);
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                acc_m = acc_m.add(Tnum::new(0, b.mask));
            } else if a.mask & 1 != 0 {
                acc_m = acc_m.add(Tnum::new(0, b.value | b.mask));
            }
            a = a.rshift(1);
            b = b.lshift(1);
        }
        Tnum::konst(acc_v).add(acc_m)
    }

    /// Members of both (`tnum_intersect`); meaningful only when they share a member.
    pub fn intersect(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask & b.mask;
        Tnum::new(v & !mu, mu)
    }

    /// Truncation to `size` bytes (`tnum_cast`).
    pub fn cast(self, size: u32) -> Tnum {
        if size >= 8 {
            return self;
        }
        let m = (1u64 << (size * 8)) - 1;
        Tnum::new(self.value & m, self.mask & m)
    }

    pub fn subreg(self) -> Tnum {
        self.cast(4)
    }

    pub fn clear_subreg(self) -> Tnum {
        self.rshift(32).lshift(32)
    }

    pub fn with_subreg(self, sub: Tnum) -> Tnum {
        self.clear_subreg().or(sub.subreg())
    }

    pub fn is_aligned(self, size: u64) -> bool {
        if size == 0 {
            return true;
        }
        (self.value | self.mask) & (size - 1) == 0
    }

    pub fn umin(self) -> u64 {
        self.value
    }

    pub fn umax(self) -> u64 {
        self.value | self.mask
    }
}

impl std::fmt::Display for Tnum {
    /// `tnum_strn`: a constant alone, else `(value; mask)` in hex.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.mask == 0 {
            if self.value <= u16::MAX as u64 {
                write!(f, "{}", self.value)
            } else {
                write!(f, "{:#x}", self.value)
            }
        } else {
            write!(f, "({:#x}; {:#x})", self.value, self.mask)
        }
    }
}
