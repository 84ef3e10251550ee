//! One register's abstract value: its type, for pointers the fixed and variable offset, the
//! ids that link copies (`id`) and name the reference a pointer owns (`ref_obj_id`), and the
//! kernel's print format for it (`print_reg_state` in kernel/bpf/log.c).

use serde::Serialize;
use std::fmt::Write;

use crate::bounds::Scalar;

/// What a pointer points to (`enum bpf_reg_type`'s base types that the model has).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PtrKind {
    Ctx,
    Stack,
    MapPtr,
    MapValue,
    MapKey,
    Packet,
    PacketMeta,
    PacketEnd,
    Socket,
    /// `PTR_TO_SOCK_COMMON`: `__sk_buff->sk`, the fields every socket has.
    SockCommon,
    /// `PTR_TO_MEM | MEM_RINGBUF`: a reserved ringbuf record of `mem_size` bytes.
    RingbufMem,
    /// `PTR_TO_MEM`: plain memory of `mem_size` bytes (a global function's `mem:N` argument).
    Mem,
    /// `PTR_TO_BTF_ID | MEM_ALLOC`: an object from `bpf_obj_new` of `mem_size` bytes.
    Object,
    /// `PTR_TO_BTF_ID | MEM_ALLOC | MEM_PERCPU`: a per-CPU object from `bpf_percpu_obj_new`,
    /// not dereferenceable.
    PercpuObject,
    /// `PTR_TO_BTF_ID | PTR_TRUSTED` to a `task_struct`.
    Task,
    Cgroup,
    Cpumask,
    /// `PTR_TO_FUNC`: a callback's address; `map` holds the subprogram index.
    Func,
}

impl PtrKind {
    /// `reg_type_str` without the maybe-NULL part.
    fn name(self, maybe_null: bool) -> String {
        let n = if maybe_null { "_or_null" } else { "" };
        match self {
            PtrKind::Ctx => format!("ctx{n}"),
            PtrKind::Stack => format!("fp{n}"),
            PtrKind::MapPtr => format!("map_ptr{n}"),
            PtrKind::MapValue => format!("map_value{n}"),
            PtrKind::MapKey => format!("map_key{n}"),
            PtrKind::Packet => format!("pkt{n}"),
            PtrKind::PacketMeta => format!("pkt_meta{n}"),
            PtrKind::PacketEnd => format!("pkt_end{n}"),
            PtrKind::Socket => format!("sock{n}"),
            PtrKind::SockCommon => format!("sock_common{n}"),
            PtrKind::RingbufMem => format!("ringbuf_mem{n}"),
            PtrKind::Mem => format!("mem{n}"),
            PtrKind::Func => format!("func{n}"),
            // PTR_TO_BTF_ID prints `ptr_` (or `ptr_or_null_`) and then the BTF type's name
            PtrKind::Object => format!("ptr_{}obj", if maybe_null { "or_null_" } else { "" }),
            PtrKind::PercpuObject => {
                format!("percpu_ptr_{}obj", if maybe_null { "or_null_" } else { "" })
            }
            PtrKind::Task => format!(
                "trusted_ptr_{}task_struct",
                if maybe_null { "or_null_" } else { "" }
            ),
            PtrKind::Cgroup => format!(
                "trusted_ptr_{}cgroup",
                if maybe_null { "or_null_" } else { "" }
            ),
            PtrKind::Cpumask => format!(
                "trusted_ptr_{}bpf_cpumask",
                if maybe_null { "or_null_" } else { "" }
            ),
        }
    }

    pub fn is_pkt(self) -> bool {
        matches!(self, PtrKind::Packet | PtrKind::PacketMeta)
    }

    /// `reg_not_null` for a pointer that is not maybe-NULL.
    pub fn never_null(self) -> bool {
        matches!(
            self,
            PtrKind::Socket
                | PtrKind::SockCommon
                | PtrKind::MapValue
                | PtrKind::MapKey
                | PtrKind::RingbufMem
                | PtrKind::Mem
                | PtrKind::Object
                | PtrKind::PercpuObject
                | PtrKind::Task
                | PtrKind::Cgroup
                | PtrKind::Cpumask
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "ptr", rename_all = "snake_case")]
pub enum RegType {
    NotInit,
    Scalar,
    Ptr(PtrKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RegState {
    pub ty: RegType,
    pub maybe_null: bool,
    /// Fixed offset of a pointer.
    pub off: i32,
    /// A scalar's value, or a pointer's variable offset.
    pub var: Scalar,
    pub id: u32,
    pub ref_obj_id: u32,
    /// Map index (map pointers and values), or subprogram index (`Func`).
    pub map: u32,
    /// Size of the memory a `Mem`/`RingbufMem`/`Object` pointer points to.
    pub mem_size: u32,
    /// Packet pointers: bytes known to be in the packet from `off`.
    pub range: i32,
    /// Stack pointers: the frame whose stack they point into.
    pub frameno: u8,
    /// Written since the last checkpoint (prints as `_w`).
    #[serde(skip)]
    pub written: bool,
    /// Map values: the id the pointer had before its NULL check, which names the element and
    /// so its spin lock (the kernel keeps `id` on values that may hold a lock; this model keeps
    /// it here so that the log still prints `map_value(...)` without an id).
    #[serde(skip)]
    pub lock_id: u32,
}

impl Default for RegState {
    fn default() -> Self {
        RegState::NOT_INIT
    }
}

impl RegState {
    pub const NOT_INIT: RegState = RegState {
        ty: RegType::NotInit,
        maybe_null: false,
        off: 0,
        var: Scalar::unknown(),
        id: 0,
        ref_obj_id: 0,
        map: 0,
        mem_size: 0,
        range: 0,
        frameno: 0,
        written: false,
        lock_id: 0,
    };

    pub fn scalar(var: Scalar) -> RegState {
        RegState {
            ty: RegType::Scalar,
            var,
            ..RegState::NOT_INIT
        }
    }

    pub fn unknown() -> RegState {
        RegState::scalar(Scalar::unknown())
    }

    pub fn konst(v: u64) -> RegState {
        RegState::scalar(Scalar::konst(v))
    }

    pub fn ptr(kind: PtrKind) -> RegState {
        RegState {
            ty: RegType::Ptr(kind),
            var: Scalar::konst(0),
            ..RegState::NOT_INIT
        }
    }

    pub fn stack(frameno: u8, off: i32) -> RegState {
        RegState {
            off,
            frameno,
            ..RegState::ptr(PtrKind::Stack)
        }
    }

    pub fn is_init(&self) -> bool {
        self.ty != RegType::NotInit
    }

    pub fn is_scalar(&self) -> bool {
        self.ty == RegType::Scalar
    }

    pub fn is_ptr(&self) -> bool {
        matches!(self.ty, RegType::Ptr(_))
    }

    pub fn kind(&self) -> Option<PtrKind> {
        match self.ty {
            RegType::Ptr(k) => Some(k),
            _ => None,
        }
    }

    pub fn is_const(&self, v: u64) -> bool {
        self.is_scalar() && self.var.const_value() == Some(v)
    }

    /// `reg_not_null`.
    pub fn not_null(&self) -> bool {
        match self.ty {
            RegType::Ptr(k) => !self.maybe_null && k.never_null(),
            _ => false,
        }
    }

    /// `reg_type_str`.
    pub fn type_str(&self) -> String {
        match self.ty {
            RegType::NotInit => "?".into(),
            RegType::Scalar => "scalar".into(),
            RegType::Ptr(k) => k.name(self.maybe_null),
        }
    }

    /// The value as the kernel log prints it (`print_reg_state`). `maps` gives map names and
    /// sizes, `cur_frame` the frame the register lives in.
    pub fn print(&self, out: &mut String, maps: &[(String, u32, u32)], cur_frame: u8) {
        if self.is_scalar() && self.var.is_const() {
            snum(out, self.var.var_off.value as i64);
            return;
        }
        out.push_str(&self.type_str());
        if self.kind() == Some(PtrKind::Stack) {
            if self.frameno != cur_frame {
                let _ = write!(out, "[{}]", self.frameno);
            }
            if self.var.is_const() {
                snum(
                    out,
                    self.var.var_off.value.wrapping_add(self.off as i64 as u64) as i64,
                );
                return;
            }
        }
        out.push('(');
        let mut sep = "";
        let mut a = |out: &mut String, s: String| {
            out.push_str(sep);
            out.push_str(&s);
            sep = ",";
        };
        if self.id != 0 {
            a(out, format!("id={}", self.id));
        }
        if self.ref_obj_id != 0 {
            a(out, format!("ref_obj_id={}", self.ref_obj_id));
        }
        if matches!(
            self.kind(),
            Some(PtrKind::MapPtr | PtrKind::MapValue | PtrKind::MapKey)
        ) {
            if let Some((name, ks, vs)) = maps.get(self.map as usize) {
                if !name.is_empty() {
                    a(out, format!("map={name}"));
                }
                a(out, format!("ks={ks},vs={vs}"));
            }
        }
        if !self.is_scalar() && self.off != 0 {
            let mut s = "off=".to_string();
            snum(&mut s, self.off as i64);
            a(out, s);
        }
        if self.kind().is_some_and(|k| k.is_pkt()) {
            let mut s = "r=".to_string();
            // an int printed as the kernel's verbose_unum(u64) does: AT_PKT_END (-1) and
            // BEYOND_PKT_END (-2) sign-extended
            unum(&mut s, self.range as i64 as u64);
            a(out, s);
        }
        if matches!(self.kind(), Some(PtrKind::RingbufMem | PtrKind::Mem)) {
            let mut s = "sz=".to_string();
            unum(&mut s, self.mem_size as u64);
            a(out, s);
        }
        if self.var.is_const() {
            if self.var.var_off.value != 0 {
                let mut s = "imm=".to_string();
                snum(&mut s, self.var.var_off.value as i64);
                a(out, s);
            }
        } else {
            let r = scalar_ranges(&self.var);
            if !r.is_empty() {
                a(out, r);
            }
            if !self.var.var_off.is_unknown() {
                a(out, format!("var_off={}", self.var.var_off));
            }
        }
        out.push(')');
    }
}

/// `verbose_snum`: decimal within the s16 range, else hex.
pub fn snum(out: &mut String, v: i64) {
    if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{:#x}", v as u64);
    }
}

/// `verbose_unum`: decimal up to u16::MAX, else hex.
pub fn unum(out: &mut String, v: u64) {
    if v <= u16::MAX as u64 {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:#x}");
    }
}

/// `print_scalar_ranges`: the bounds that say something, equal ones merged (`smin=umin=0`).
pub fn scalar_ranges(s: &Scalar) -> String {
    let dec = |v: i64| (i16::MIN as i64..=i16::MAX as i64).contains(&v);
    let s32v = |v: i32| {
        if dec(v as i64) {
            v as i64 as u64
        } else {
            v as u32 as u64
        }
    };
    let mut m: [(&str, u64, bool); 8] = [
        ("smin", s.smin as u64, s.smin == i64::MIN),
        ("smax", s.smax as u64, s.smax == i64::MAX),
        ("umin", s.umin, s.umin == 0),
        ("umax", s.umax, s.umax == u64::MAX),
        ("smin32", s32v(s.s32_min), s.s32_min == i32::MIN),
        ("smax32", s32v(s.s32_max), s.s32_max == i32::MAX),
        ("umin32", s.u32_min as u64, s.u32_min == 0),
        ("umax32", s.u32_max as u64, s.u32_max == u32::MAX),
    ];
    let mut out = String::new();
    let mut sep = "";
    for i in 0..m.len() {
        if m[i].2 {
            continue;
        }
        let neg1 = m[i].0.starts_with('s') && (m[i].1 as i64) < 0;
        let _ = write!(out, "{sep}{}=", m[i].0);
        sep = ",";
        let mut j = i + 2;
        while j < m.len() {
            if !m[j].2 && m[j].1 == m[i].1 {
                let neg2 = m[j].0.starts_with('s') && (m[j].1 as i64) < 0;
                if neg1 == neg2 {
                    m[j].2 = true;
                    let _ = write!(out, "{}=", m[j].0);
                }
            }
            j += 2;
        }
        if m[i].0.starts_with('s') {
            snum(&mut out, m[i].1 as i64);
        } else {
            unum(&mut out, m[i].1);
        }
    }
    out
}
