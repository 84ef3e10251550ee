//! Loads, stores and atomics, checked per region: stack (spill and fill rules), context
//! fields, map values and keys, packets, sockets, memory of known size and kernel objects
//! (`check_mem_access`, `check_stack_{read,write}_fixed_off`, `check_map_access`,
//! `check_packet_access`, `check_ctx_access`).

use unwind_isa::{AtomicOp, Size};
use unwind_kernel::rules::{self, CtxAccess, CtxOp};
use unwind_kernel::FieldKind;

use super::alu::MAX_VAR_OFF;
use super::{Env, R};
use crate::state::{PtrKind, RegState, SlotKind, VerifierState, MAX_BPF_STACK};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// A sign-extending load (`BPF_MEMSX`): the ctx rules refuse it on pointer fields.
    ReadSx,
    Write,
}

/// What is written by a store.
#[derive(Clone, Copy)]
pub enum Value {
    Reg(RegState),
    Imm(i32),
    /// A helper writing memory, or an atomic.
    Unknown,
}

impl Env<'_> {
    pub(super) fn check_load(
        &mut self,
        st: &mut VerifierState,
        size: Size,
        signed: bool,
        d: u8,
        s: u8,
        off: i16,
    ) -> R<()> {
        self.read_reg(st, s)?;
        self.check_dst(d)?;
        let access = if signed { Access::ReadSx } else { Access::Read };
        let v = self.mem_access(st, s, off as i64, size.bytes(), access, Value::Unknown)?;
        let mut v = v.unwrap_or_else(RegState::unknown);
        if v.is_scalar() && signed {
            let mut sv = v.var;
            sv.sign_extend(size.bits(), false);
            v = RegState::scalar(sv);
        }
        self.set_reg(st, d, v);
        Ok(())
    }

    pub(super) fn check_store(
        &mut self,
        st: &mut VerifierState,
        size: Size,
        d: u8,
        off: i16,
        src: Option<u8>,
        imm: Option<i32>,
    ) -> R<()> {
        let value = match src {
            Some(s) => Value::Reg(self.read_reg(st, s)?),
            None => Value::Imm(imm.unwrap_or(0)),
        };
        // `BPF_ST` into ctx goes through the ctx rules like `BPF_STX` since Linux 6.3.
        self.read_reg(st, d)?;
        self.mem_access(st, d, off as i64, size.bytes(), Access::Write, value)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_atomic(
        &mut self,
        st: &mut VerifierState,
        size: Size,
        op: AtomicOp,
        fetch: bool,
        d: u8,
        off: i16,
        s: u8,
    ) -> R<()> {
        if !matches!(size, Size::W | Size::DW) {
            return self.reject("invalid atomic operand size");
        }
        self.read_reg(st, s)?;
        let dreg = self.read_reg(st, d)?;
        if op == AtomicOp::Cmpxchg {
            self.read_reg(st, 0)?;
        }
        if matches!(
            dreg.kind(),
            Some(
                PtrKind::Ctx
                    | PtrKind::Packet
                    | PtrKind::PacketMeta
                    | PtrKind::Socket
                    | PtrKind::SockCommon
            )
        ) {
            return self.reject(format!(
                "BPF_ATOMIC stores into R{d} {} is not allowed",
                dreg.type_str()
            ));
        }
        let old = self.mem_access(
            st,
            d,
            off as i64,
            size.bytes(),
            Access::Read,
            Value::Unknown,
        )?;
        self.mem_access(
            st,
            d,
            off as i64,
            size.bytes(),
            Access::Write,
            Value::Unknown,
        )?;
        if fetch {
            let target = if op == AtomicOp::Cmpxchg { 0 } else { s };
            self.check_dst(target)?;
            let mut v = old.unwrap_or_else(RegState::unknown);
            if !v.is_scalar() || size == Size::W {
                v = RegState::unknown();
                if size == Size::W {
                    v.var.coerce_to_size(4);
                }
            }
            self.set_reg(st, target, v);
        }
        Ok(())
    }

    /// `check_mem_access`: returns the loaded value for reads.
    pub fn mem_access(
        &mut self,
        st: &mut VerifierState,
        regno: u8,
        insn_off: i64,
        size: u32,
        access: Access,
        value: Value,
    ) -> R<Option<RegState>> {
        let reg = *st.reg(regno);
        let write = access == Access::Write;
        let Some(kind) = reg.kind() else {
            return self.reject(format!("R{regno} invalid mem access '{}'", reg.type_str()));
        };
        if reg.maybe_null {
            return self.reject(format!("R{regno} invalid mem access '{}'", reg.type_str()));
        }
        let off = insn_off + reg.off as i64;
        let sized = |mut v: RegState| {
            if v.is_scalar() {
                v.var.coerce_to_size(size);
            }
            v
        };
        match kind {
            PtrKind::Stack => self.stack_access(st, regno, &reg, insn_off, size, access, value),
            PtrKind::Ctx => {
                // `check_ptr_off_reg` → `__check_ptr_off_reg`: a negative offset first
                if reg.off < 0 {
                    return self.reject(format!(
                        "negative offset ctx ptr R{regno} off={} disallowed",
                        reg.off
                    ));
                }
                if reg.off != 0 {
                    return self.reject(format!(
                        "dereference of modified ctx ptr R{regno} off={} disallowed",
                        reg.off
                    ));
                }
                if !reg.var.is_const() {
                    return self.reject(format!(
                        "variable ctx access var_off={} off={} size={}",
                        reg.var.var_off, insn_off, size
                    ));
                }
                let off = off + reg.var.var_off.value as i64;
                // A pointer stored into ctx is no leak for a privileged loader (the kernel's
                // `is_pointer_value` under `allow_ptr_leaks`), which is what the model is.
                let op = match access {
                    Access::Write => CtxOp::Write,
                    Access::Read => CtxOp::READ,
                    Access::ReadSx => CtxOp::Read { sign_extend: true },
                };
                match rules::ctx_access(self.input.prog_type, off, size, op) {
                    None => {
                        self.reject(format!("invalid bpf_context access off={off} size={size}"))
                    }
                    Some(CtxAccess::Unmodelled(name)) => self.reject(format!(
                        "ctx field {name} (off={off} size={size}): the kernel gives a pointer here that Unwind does not model"
                    )),
                    Some(_) if write => Ok(None),
                    Some(CtxAccess::Scalar) => Ok(Some(sized(RegState::unknown()))),
                    Some(CtxAccess::SockCommonOrNull) => {
                        // NULL in the model's runs; a NULL check is still needed first
                        let mut r = RegState::ptr(PtrKind::SockCommon);
                        r.maybe_null = true;
                        r.id = self.new_id();
                        Ok(Some(r))
                    }
                    Some(CtxAccess::Packet(k)) => {
                        let pk = match k {
                            FieldKind::PacketData => PtrKind::Packet,
                            FieldKind::PacketEnd => PtrKind::PacketEnd,
                            _ => PtrKind::PacketMeta,
                        };
                        Ok(Some(RegState::ptr(pk)))
                    }
                }
            }
            PtrKind::MapValue | PtrKind::MapKey => {
                let m = &self.input.prog.maps[reg.map as usize];
                let limit = if kind == PtrKind::MapValue {
                    m.value_size
                } else {
                    m.key_size
                };
                self.mem_region(regno, &reg, off, size, limit as i64, false)?;
                Ok((!write).then(|| sized(RegState::unknown())))
            }
            PtrKind::RingbufMem | PtrKind::Mem | PtrKind::Object => {
                self.mem_region(regno, &reg, off, size, reg.mem_size as i64, false)?;
                if write {
                    if let Value::Reg(v) = value {
                        if kind == PtrKind::Object && v.ref_obj_id != 0 {
                            // storing a referenced pointer does not release it
                        }
                    }
                }
                Ok((!write).then(|| sized(RegState::unknown())))
            }
            PtrKind::Packet | PtrKind::PacketMeta => {
                if write && !rules::packet_writable(self.input.prog_type) {
                    return self.reject("cannot write into packet");
                }
                self.packet_access(regno, &reg, off, size, false)?;
                Ok((!write).then(|| sized(RegState::unknown())))
            }
            PtrKind::Socket | PtrKind::SockCommon => {
                // `check_sock_access`, with the catalogue's `bpf_sock_is_valid_access` (or
                // `bpf_sock_common_is_valid_access`)
                if write {
                    return self.reject(format!("R{regno} cannot write into {}", reg.type_str()));
                }
                let common = kind == PtrKind::SockCommon;
                let ok =
                    reg.var.is_const() && off == insn_off && rules::sock_access(off, size, common);
                if !ok {
                    return self.reject(format!(
                        "R{regno} invalid {} access off={off} size={size}",
                        reg.type_str()
                    ));
                }
                Ok(Some(sized(RegState::unknown())))
            }
            PtrKind::Task | PtrKind::Cgroup | PtrKind::Cpumask => {
                if write {
                    return self.reject("only read is supported");
                }
                // The simulated kernel's objects (crates/vm): a task is pid and tgid (16
                // bytes), a cgroup its 8-byte id, a cpumask 16 bytes. Reads past them would
                // run off the interpreter's regions, so they are refused here too.
                let limit = match reg.kind() {
                    Some(PtrKind::Cgroup) => 8,
                    _ => 16,
                };
                if !reg.var.is_const() || off < 0 || off + size as i64 > limit {
                    return self.reject(format!(
                        "access beyond struct {} at off {off} size {size}",
                        &reg.type_str()
                    ));
                }
                Ok(Some(sized(RegState::unknown())))
            }
            // `check_ptr_to_btf_access`: per-CPU memory is reached through bpf_this_cpu_ptr.
            PtrKind::PercpuObject => self.reject(format!(
                "R{regno} is ptr_obj access percpu memory: off={}",
                reg.off + insn_off as i32
            )),
            PtrKind::MapPtr | PtrKind::PacketEnd | PtrKind::Func => {
                self.reject(format!("R{regno} invalid mem access '{}'", reg.type_str()))
            }
        }
    }

    /// `check_packet_access`, for loads, stores and helper arguments alike: no negative
    /// offsets, and `off + size` within the range the comparisons with `pkt_end` proved (a
    /// pointer at or beyond `pkt_end`, a negative range, gives nothing and no detail line).
    fn packet_access(
        &mut self,
        regno: u8,
        reg: &RegState,
        off: i64,
        size: u32,
        zero_ok: bool,
    ) -> R<()> {
        if reg.var.smin < 0 {
            return self.reject(format!("R{regno} min value is negative, either use unsigned index or do a if (index >=0) check."));
        }
        let fits = off >= 0 && (size > 0 || zero_ok) && off + size as i64 <= reg.range as i64;
        if reg.range < 0 || !fits {
            if reg.range >= 0 {
                self.log.error(&format!(
                    "invalid access to packet, off={off} size={size}, R{regno}(id={},off={off},r={})",
                    reg.id, reg.range
                ));
            }
            return self.reject(format!("R{regno} offset is outside of the packet"));
        }
        Ok(())
    }

    /// `check_mem_region_access` with `__check_mem_access`'s messages.
    fn mem_region(
        &mut self,
        regno: u8,
        reg: &RegState,
        off: i64,
        size: u32,
        limit: i64,
        zero_ok: bool,
    ) -> R<()> {
        let v = &reg.var;
        let describe = |o: i64| -> String {
            match reg.kind() {
                Some(PtrKind::MapValue) => {
                    format!("invalid access to map value, value_size={limit} off={o} size={size}")
                }
                Some(PtrKind::MapKey) => {
                    format!("invalid access to map key, key_size={limit} off={o} size={size}")
                }
                _ => format!("invalid access to memory, mem_size={limit} off={o} size={size}"),
            }
        };
        let fits = |o: i64| o >= 0 && (size > 0 || zero_ok) && o + size as i64 <= limit;
        if v.smin < 0
            && (v.smin == i64::MIN
                || (off + v.smin) != (off + v.smin) as i32 as i64
                || v.smin + off < 0)
        {
            return self.reject(format!("R{regno} min value is negative, either use unsigned index or do a if (index >=0) check."));
        }
        let lo = v.smin + off;
        if !fits(lo) {
            if v.is_const() {
                return self.reject(describe(lo));
            }
            self.log.error(&describe(lo));
            return self.reject(format!(
                "R{regno} min value is outside of the allowed memory range"
            ));
        }
        if v.umax >= MAX_VAR_OFF as u64 {
            return self.reject(format!(
                "R{regno} unbounded memory access, make sure to bounds check any such access"
            ));
        }
        let hi = v.umax as i64 + off;
        if !fits(hi) {
            if v.is_const() {
                return self.reject(describe(hi));
            }
            self.log.error(&describe(hi));
            return self.reject(format!(
                "R{regno} max value is outside of the allowed memory range"
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn stack_access(
        &mut self,
        st: &mut VerifierState,
        regno: u8,
        reg: &RegState,
        insn_off: i64,
        size: u32,
        access: Access,
        value: Value,
    ) -> R<Option<RegState>> {
        let write = access == Access::Write;
        let frame = reg.frameno as usize;
        let off = insn_off + reg.off as i64;
        // strict alignment always applies to the stack (`check_generic_ptr_alignment`)
        let at = reg.var.var_off.add(crate::tnum::Tnum::konst(off as u64));
        if !at.is_aligned(size as u64) {
            return self.reject(format!(
                "misaligned stack access off {}+{}+{} size {}",
                reg.var.var_off, reg.off, insn_off, size
            ));
        }
        let extra = if write { " write to" } else { " read from" };
        let (min_off, max_off) = if reg.var.is_const() {
            let m = reg.var.var_off.value as i64 + off;
            (m, m + size as i64)
        } else {
            if reg.var.smax >= MAX_VAR_OFF || reg.var.smin <= -MAX_VAR_OFF {
                return self.reject(format!(
                    "invalid unbounded variable-offset{extra} stack R{regno}"
                ));
            }
            (reg.var.smin + off, reg.var.smax + off + size as i64)
        };
        if min_off < -(MAX_BPF_STACK as i64) || min_off > -1 || max_off > 0 {
            if reg.var.is_const() {
                return self.reject(format!(
                    "invalid{extra} stack R{regno} off={} size={size}",
                    off + reg.var.var_off.value as i64
                ));
            }
            return self.reject(format!(
                "invalid variable-offset{extra} stack R{regno} var_off={} off={off} size={size}",
                reg.var.var_off
            ));
        }
        // STACK_IRQ_FLAG: saved IRQ flags may not be read; a write over them destroys them.
        for i in st.irq_flags_overlapping(frame, min_off, max_off) {
            if !write {
                return self.reject(format!(
                    "invalid read from stack off {min_off}+0 size {size}"
                ));
            }
            st.irq_flags[i].intact = false;
        }
        let allow_uninit = self.input.opts.allow_uninit_stack;
        // `check_stack_access_within_bounds` ends in `grow_stack_state` for reads as for
        // writes (Linux >= 6.8): a read reaches as deep into the stack, and into the
        // subprogram's `stack_depth`, as a write.
        let fs = &mut st.frames[frame];
        fs.grow((-min_off) as usize);
        let sp = fs.subprog;
        let depth = fs.allocated();
        if self.record.facts[sp].stack_depth < depth {
            self.record.facts[sp].stack_depth = depth;
        }
        if !reg.var.is_const() {
            // variable offset: reads give an unknown number, writes make bytes misc
            for o in min_off..max_off {
                let slot = (-o - 1) as usize;
                let (spi, idx) = (slot / 8, slot % 8);
                self.log.scratch_slot(frame, spi);
                let fs = &mut st.frames[frame];
                if spi >= fs.stack.len() {
                    if write {
                        continue;
                    }
                    if !allow_uninit {
                        return self.reject(format!(
                            "invalid variable-offset read from stack R{regno} var_off={} off={off} size={size}",
                            reg.var.var_off
                        ));
                    }
                    continue;
                }
                let s = &mut fs.stack[spi];
                if write {
                    if s.is_spill() {
                        for k in s.kinds.iter_mut() {
                            *k = SlotKind::Misc;
                        }
                        s.spilled = RegState::NOT_INIT;
                    }
                    if s.kinds[idx] != SlotKind::Zero || !matches!(value, Value::Imm(0)) {
                        s.kinds[idx] = SlotKind::Misc;
                    }
                } else if s.kinds[idx] == SlotKind::Invalid && !allow_uninit {
                    return self.reject(format!(
                        "invalid variable-offset read from stack R{regno} var_off={} off={off} size={size}",
                        reg.var.var_off
                    ));
                }
            }
            return Ok((!write).then(RegState::unknown));
        }
        let off = min_off;
        let slot = (-off - 1) as usize;
        let spi = slot / 8;
        self.log.scratch_slot(frame, spi);
        if write {
            self.stack_write(st, frame, off, size, value)?;
            Ok(None)
        } else {
            self.stack_read(st, frame, off, size).map(Some)
        }
    }

    /// `check_stack_write_fixed_off`.
    fn stack_write(
        &mut self,
        st: &mut VerifierState,
        frame: usize,
        off: i64,
        size: u32,
        value: Value,
    ) -> R<()> {
        let slot = (-off - 1) as usize;
        let spi = slot / 8;
        let cur = st.curframe();
        let aligned = off % 8 == 0;
        let fs = &mut st.frames[frame];
        fs.grow(spi * 8 + 8);
        let s = &mut fs.stack[spi];
        let save = |s: &mut crate::state::StackSlot, r: RegState| {
            s.spilled = r;
            s.spilled.written = true;
            for i in (8 - size as usize)..8 {
                s.kinds[i] = SlotKind::Spill;
            }
            for i in 0..(8 - size as usize) {
                if s.kinds[i] != SlotKind::Zero && s.kinds[i] != SlotKind::Invalid {
                    s.kinds[i] = SlotKind::Misc;
                }
            }
        };
        match value {
            Value::Reg(r) if aligned && r.is_scalar() => {
                let mut r = r;
                let fits = size == 8 || r.var.umax < (1u64 << (size * 8));
                if !fits {
                    r.id = 0;
                }
                if size < 8 {
                    r.var.coerce_to_size(size);
                }
                save(s, r);
            }
            Value::Imm(imm) if aligned => {
                let mut r = RegState::konst(imm as i64 as u64);
                if size < 8 {
                    r.var.coerce_to_size(size);
                }
                save(s, r);
            }
            Value::Reg(r) if r.is_ptr() => {
                if size != 8 {
                    return self.reject("invalid size of register spill");
                }
                if frame != cur && r.kind() == Some(PtrKind::Stack) {
                    return self
                        .reject("cannot spill pointers to stack into stack frame of the caller");
                }
                save(s, r);
            }
            _ => {
                if s.is_spill() {
                    for k in s.kinds.iter_mut() {
                        if *k == SlotKind::Spill {
                            *k = SlotKind::Misc;
                        }
                    }
                }
                s.spilled = RegState::NOT_INIT;
                s.spilled.written = true;
                let zero = match value {
                    Value::Reg(r) => r.is_const(0),
                    Value::Imm(i) => i == 0,
                    Value::Unknown => false,
                };
                let k = if zero { SlotKind::Zero } else { SlotKind::Misc };
                for i in 0..size as usize {
                    s.kinds[(slot - i) % 8] = k;
                }
            }
        }
        Ok(())
    }

    /// `check_stack_read_fixed_off`.
    fn stack_read(
        &mut self,
        st: &mut VerifierState,
        frame: usize,
        off: i64,
        size: u32,
    ) -> R<RegState> {
        let slot = (-off - 1) as usize;
        let spi = slot / 8;
        let allow_uninit = self.input.opts.allow_uninit_stack;
        let fs = &st.frames[frame];
        let Some(s) = fs.stack.get(spi).copied() else {
            if allow_uninit {
                return Ok(RegState::unknown());
            }
            return self.reject(format!("invalid read from stack off {off}+0 size {size}"));
        };
        if s.is_spill() {
            let spill_size = s.spill_size();
            let r = s.spilled;
            if size != 8 || spill_size != 8 {
                if !r.is_scalar() {
                    return self.reject("invalid size of register fill");
                }
                if size <= spill_size && off % 8 == 0 {
                    let mut v = r;
                    if size < 8 {
                        let width_ok = v.var.umax < (1u64 << (size * 8));
                        v.var.coerce_to_size(size);
                        if !width_ok {
                            v.id = 0;
                        }
                    }
                    return Ok(v);
                }
                let (mut spill, mut zero) = (0, 0);
                for i in 0..size as usize {
                    match s.kinds[(slot - i) % 8] {
                        SlotKind::Spill => spill += 1,
                        SlotKind::Misc => {}
                        SlotKind::Zero => zero += 1,
                        SlotKind::Invalid if allow_uninit => {}
                        SlotKind::Invalid => {
                            return self.reject(format!(
                                "invalid read from stack off {off}+{i} size {size}"
                            ))
                        }
                    }
                }
                if (spill == size && r.is_const(0)) || zero == size {
                    return Ok(RegState::konst(0));
                }
                return Ok(RegState::unknown());
            }
            return Ok(r);
        }
        let mut zero = 0;
        for i in 0..size as usize {
            match s.kinds[(slot - i) % 8] {
                SlotKind::Misc => {}
                SlotKind::Zero => zero += 1,
                SlotKind::Invalid if allow_uninit => {}
                _ => {
                    return self
                        .reject(format!("invalid read from stack off {off}+{i} size {size}"))
                }
            }
        }
        if zero == size {
            Ok(RegState::konst(0))
        } else {
            let mut v = RegState::unknown();
            v.var.coerce_to_size(size);
            Ok(v)
        }
    }

    /// `check_helper_mem_access`: `size` bytes from the pointer in `regno` must be
    /// readable (or writable). `size` may be a range (the umax of a size register).
    pub fn helper_mem(
        &mut self,
        st: &mut VerifierState,
        regno: u8,
        size: u64,
        access: Access,
        zero_ok: bool,
    ) -> R<()> {
        let reg = *st.reg(regno);
        match reg.kind() {
            Some(PtrKind::Stack) => {
                if size == 0 {
                    return Ok(());
                }
                let off = reg.off as i64;
                let (lo, hi) = if reg.var.is_const() {
                    let m = off + reg.var.var_off.value as i64;
                    (m, m + size as i64)
                } else {
                    (reg.var.smin + off, reg.var.smax + off + size as i64)
                };
                if lo < -(MAX_BPF_STACK as i64) || hi > 0 || lo > -1 {
                    let extra = " indirect access to";
                    return self.reject(format!(
                        "invalid{extra} stack R{regno} off={lo} size={size}"
                    ));
                }
                let frame = reg.frameno as usize;
                // STACK_IRQ_FLAG, as for direct accesses: not readable, destroyed by a write.
                for i in st.irq_flags_overlapping(frame, lo, hi) {
                    if access != Access::Write {
                        return self.reject(format!(
                            "invalid read from stack R{regno} off {lo}+0 size {size}"
                        ));
                    }
                    st.irq_flags[i].intact = false;
                }
                let allow_uninit = self.input.opts.allow_uninit_stack;
                st.frames[frame].grow((-lo) as usize);
                for o in lo..hi {
                    let slot = (-o - 1) as usize;
                    let (spi, idx) = (slot / 8, slot % 8);
                    self.log.scratch_slot(frame, spi);
                    let s = &mut st.frames[frame].stack[spi];
                    if access == Access::Write {
                        if s.is_spill() {
                            for k in s.kinds.iter_mut() {
                                *k = SlotKind::Misc;
                            }
                            s.spilled = RegState::NOT_INIT;
                        }
                        s.kinds[idx] = SlotKind::Misc;
                    } else if s.kinds[idx] == SlotKind::Invalid && !allow_uninit {
                        return self.reject(format!(
                            "invalid indirect read from stack R{regno} off {lo}+{} size {size}",
                            o - lo
                        ));
                    }
                }
                let sp = st.frames[frame].subprog;
                let depth = st.frames[frame].allocated();
                if self.record.facts[sp].stack_depth < depth {
                    self.record.facts[sp].stack_depth = depth;
                }
                Ok(())
            }
            Some(PtrKind::Packet | PtrKind::PacketMeta) => {
                if access == Access::Write && !rules::packet_writable(self.input.prog_type) {
                    return self.reject("cannot write into packet");
                }
                self.packet_access(regno, &reg, reg.off as i64, size as u32, zero_ok)
            }
            Some(PtrKind::MapValue | PtrKind::MapKey) => {
                let m = &self.input.prog.maps[reg.map as usize];
                let limit = if reg.kind() == Some(PtrKind::MapValue) {
                    m.value_size
                } else {
                    m.key_size
                };
                self.mem_region(
                    regno,
                    &reg,
                    reg.off as i64,
                    size as u32,
                    limit as i64,
                    zero_ok,
                )
            }
            Some(PtrKind::Mem | PtrKind::RingbufMem | PtrKind::Object) => self.mem_region(
                regno,
                &reg,
                reg.off as i64,
                size as u32,
                reg.mem_size as i64,
                zero_ok,
            ),
            _ => {
                if zero_ok && reg.is_const(0) {
                    return Ok(());
                }
                self.reject(format!(
                    "R{regno} type={} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
                    reg.type_str()
                ))
            }
        }
    }
}
