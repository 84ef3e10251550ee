//! ALU instructions: scalar arithmetic on bounds, moves (with scalar ids), pointer
//! arithmetic and its messages (`check_alu_op`, `adjust_reg_min_max_vals`,
//! `adjust_ptr_min_max_vals`, `check_reg_sane_offset`), and `ld_imm64`.

use unwind_isa::{AluOp, Imm64Kind, Insn, Operand, Size, Width};

use super::{Env, R};
use crate::bounds::Scalar;
use crate::state::{PtrKind, RegState, VerifierState};

/// `BPF_MAX_VAR_OFF`.
pub const MAX_VAR_OFF: i64 = 1 << 29;

/// `bpf_alu_string`.
fn alu_str(op: AluOp) -> &'static str {
    match op {
        AluOp::Sdiv => "/=",
        AluOp::Smod => "%=",
        o => o.symbol(),
    }
}

impl Env<'_> {
    pub(super) fn check_alu(&mut self, st: &mut VerifierState, insn: &Insn) -> R<()> {
        match *insn {
            Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => {
                let d = dst.index();
                let r = self.read_reg(st, d)?;
                self.check_dst(d)?;
                if r.is_ptr() {
                    // privileged: a pointer turned into a number
                }
                self.set_reg(st, d, RegState::unknown());
                Ok(())
            }
            Insn::AddrSpaceCast { dst, src, .. } => {
                // check_alu_op: the cast converts between an arena's kernel and user addresses
                // (found by the `verify` fuzz target: without an arena it was accepted, and the
                // interpreter, which models no arena, faulted).
                let has_arena = self
                    .input
                    .prog
                    .maps
                    .iter()
                    .any(|m| m.map_type == unwind_kernel::MapType::Arena);
                if !has_arena {
                    return self.reject(
                        "addr_space_cast insn can only be used in a program that has an associated arena",
                    );
                }
                self.read_reg(st, src.index())?;
                self.check_dst(dst.index())?;
                self.set_reg(st, dst.index(), RegState::unknown());
                Ok(())
            }
            Insn::MovSx {
                width,
                dst,
                src,
                from_bits,
            } => {
                let s = self.read_reg(st, src.index())?;
                self.check_dst(dst.index())?;
                let mut v = if s.is_scalar() {
                    s.var
                } else {
                    Scalar::unknown()
                };
                v.sign_extend(from_bits as u32, width == Width::W32);
                let mut r = RegState::scalar(v);
                // a sign extension that changes nothing keeps the link between copies
                if s.is_scalar() && v == s.var && s.id != 0 && width == Width::W64 {
                    r.id = s.id;
                }
                self.set_reg(st, dst.index(), r);
                Ok(())
            }
            Insn::Alu {
                width,
                op,
                dst,
                src,
            } => self.check_alu_op(st, width == Width::W32, op, dst.index(), src),
            _ => Ok(()),
        }
    }

    fn check_alu_op(
        &mut self,
        st: &mut VerifierState,
        alu32: bool,
        op: AluOp,
        d: u8,
        src: Operand,
    ) -> R<()> {
        let src_reg = match src {
            Operand::Reg(r) => Some(self.read_reg(st, r.index())?),
            Operand::Imm(_) => None,
        };
        if op == AluOp::Mov {
            self.check_dst(d)?;
            return self.check_mov(st, alu32, d, src);
        }
        let dst_reg = self.read_reg(st, d)?;
        self.check_dst(d)?;
        if let Operand::Imm(imm) = src {
            if matches!(op, AluOp::Div | AluOp::Mod | AluOp::Sdiv | AluOp::Smod) && imm == 0 {
                return self.reject("div by zero");
            }
            if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) {
                let bits = if alu32 { 32 } else { 64 };
                if imm < 0 || imm >= bits {
                    return self.reject(format!("invalid shift {imm}"));
                }
            }
        }
        let off_reg = match src_reg {
            Some(r) => r,
            None => {
                let Operand::Imm(imm) = src else {
                    unreachable!()
                };
                RegState::konst(imm as i64 as u64)
            }
        };
        let src_is_dst = matches!(src, Operand::Reg(r) if r.index() == d);
        // adjust_reg_min_max_vals
        if off_reg.is_ptr() && matches!(src, Operand::Reg(_)) {
            if dst_reg.is_ptr() {
                if op == AluOp::Sub {
                    self.set_reg(st, d, RegState::unknown());
                    return Ok(());
                }
                return self.reject(format!("R{d} pointer {} pointer prohibited", alu_str(op)));
            }
            // scalar += pointer
            return self.adjust_ptr(st, alu32, op, d, off_reg, dst_reg, true);
        }
        if dst_reg.is_ptr() {
            return self.adjust_ptr(st, alu32, op, d, dst_reg, off_reg, src_is_dst);
        }
        // two scalars
        let result = dst_reg.var.alu(op, &off_reg.var, alu32);
        let mut r = RegState::scalar(result);
        if result.is_empty() {
            r = RegState::unknown();
        }
        self.set_reg(st, d, r);
        Ok(())
    }

    fn check_mov(&mut self, st: &mut VerifierState, alu32: bool, d: u8, src: Operand) -> R<()> {
        match src {
            Operand::Imm(imm) => {
                let v = if alu32 {
                    imm as u32 as u64
                } else {
                    imm as i64 as u64
                };
                self.set_reg(st, d, RegState::konst(v));
            }
            Operand::Reg(s) => {
                let s = s.index();
                let mut sr = *st.reg(s);
                if !alu32 {
                    // copies of an unknown scalar share an id (`assign_scalar_id_before_mov`)
                    if sr.is_scalar() && sr.id == 0 && !sr.var.is_const() {
                        sr.id = self.new_id();
                        st.reg_mut(s).id = sr.id;
                    }
                    self.set_reg(st, d, sr);
                } else if sr.is_scalar() {
                    let fits = sr.var.umax <= u32::MAX as u64;
                    if fits && sr.id == 0 && !sr.var.is_const() {
                        sr.id = self.new_id();
                        st.reg_mut(s).id = sr.id;
                    }
                    let mut v = sr.var;
                    v.zext_32_to_64();
                    v.sync();
                    let mut r = RegState::scalar(v);
                    r.id = if fits { sr.id } else { 0 };
                    self.set_reg(st, d, r);
                } else {
                    self.set_reg(st, d, RegState::unknown());
                }
            }
        }
        Ok(())
    }

    /// `adjust_ptr_min_max_vals`: `ptr op scalar` (or `scalar += ptr`).
    #[allow(clippy::too_many_arguments)]
    fn adjust_ptr(
        &mut self,
        st: &mut VerifierState,
        alu32: bool,
        op: AluOp,
        d: u8,
        ptr: RegState,
        off: RegState,
        dst_is_off: bool,
    ) -> R<()> {
        let o = off.var;
        let known = o.is_const();
        if (known && (o.smin != o.smax || o.umin != o.umax)) || o.smin > o.smax || o.umin > o.umax {
            self.set_reg(st, d, RegState::unknown());
            return Ok(());
        }
        if alu32 {
            if op == AluOp::Sub {
                self.set_reg(st, d, RegState::unknown());
                return Ok(());
            }
            return self.reject(format!("R{d} 32-bit pointer arithmetic prohibited"));
        }
        let kind = ptr.kind().expect("pointer");
        if ptr.maybe_null {
            return self.reject(format!(
                "R{d} pointer arithmetic on {} prohibited, null-check it first",
                ptr.type_str()
            ));
        }
        let allowed = match kind {
            PtrKind::Ctx
            | PtrKind::MapValue
            | PtrKind::MapKey
            | PtrKind::Stack
            | PtrKind::PacketMeta
            | PtrKind::Packet
            | PtrKind::Object
            | PtrKind::Task
            | PtrKind::Cgroup
            | PtrKind::Cpumask
            | PtrKind::Mem
            | PtrKind::RingbufMem
            | PtrKind::Func => true,
            PtrKind::MapPtr => known && o.smin == 0 && op == AluOp::Add,
            _ => false,
        };
        if !allowed {
            return self.reject(format!(
                "R{d} pointer arithmetic on {} prohibited",
                ptr.type_str()
            ));
        }
        let tname = ptr.type_str();
        self.sane_offset(&off, &tname)?;
        self.sane_offset(&ptr, &tname)?;
        let mut r = ptr;
        let p = ptr.var;
        match op {
            AluOp::Add => {
                let sum = ptr.off as i64 + o.smin;
                if known && sum == sum as i32 as i64 {
                    r.off = sum as i32;
                } else {
                    let mut v = p;
                    v.mark_32_unbounded();
                    match (p.smin.checked_add(o.smin), p.smax.checked_add(o.smax)) {
                        (Some(a), Some(b)) => {
                            v.smin = a;
                            v.smax = b;
                        }
                        _ => {
                            v.smin = i64::MIN;
                            v.smax = i64::MAX;
                        }
                    }
                    match (p.umin.checked_add(o.umin), p.umax.checked_add(o.umax)) {
                        (Some(a), Some(b)) => {
                            v.umin = a;
                            v.umax = b;
                        }
                        _ => {
                            v.umin = 0;
                            v.umax = u64::MAX;
                        }
                    }
                    v.var_off = p.var_off.add(o.var_off);
                    r.var = v;
                    if kind.is_pkt() {
                        r.id = self.new_id();
                        r.range = 0;
                    }
                }
            }
            AluOp::Sub => {
                if dst_is_off {
                    return self.reject(format!("R{d} tried to subtract pointer from scalar"));
                }
                if kind == PtrKind::Stack {
                    return self.reject(format!("R{d} subtraction from stack pointer prohibited"));
                }
                let diff = ptr.off as i64 - o.smin;
                if known && diff == diff as i32 as i64 {
                    r.off = diff as i32;
                } else {
                    let mut v = p;
                    v.mark_32_unbounded();
                    match (p.smin.checked_sub(o.smax), p.smax.checked_sub(o.smin)) {
                        (Some(a), Some(b)) => {
                            v.smin = a;
                            v.smax = b;
                        }
                        _ => {
                            v.smin = i64::MIN;
                            v.smax = i64::MAX;
                        }
                    }
                    if p.umin < o.umax {
                        v.umin = 0;
                        v.umax = u64::MAX;
                    } else {
                        v.umin = p.umin - o.umax;
                        v.umax = p.umax - o.umin;
                    }
                    v.var_off = p.var_off.sub(o.var_off);
                    r.var = v;
                    if kind.is_pkt() {
                        r.id = self.new_id();
                        if o.smin < 0 {
                            r.range = 0;
                        }
                    }
                }
            }
            AluOp::And | AluOp::Or | AluOp::Xor => {
                return self.reject(format!(
                    "R{d} bitwise operator {} on pointer prohibited",
                    alu_str(op)
                ));
            }
            _ => {
                return self.reject(format!(
                    "R{d} pointer arithmetic with {} operator prohibited",
                    alu_str(op)
                ));
            }
        }
        self.sane_offset(&r, &tname)?;
        r.var.sync();
        self.set_reg(st, d, r);
        Ok(())
    }

    /// `check_reg_sane_offset`.
    fn sane_offset(&self, reg: &RegState, tname: &str) -> R<()> {
        let v = &reg.var;
        let val = v.var_off.value as i64;
        if v.is_const() && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF) {
            return self.reject(format!(
                "math between {tname} pointer and {val} is not allowed"
            ));
        }
        if reg.off as i64 >= MAX_VAR_OFF || reg.off as i64 <= -MAX_VAR_OFF {
            return self.reject(format!("{tname} pointer offset {} is not allowed", reg.off));
        }
        if v.smin == i64::MIN {
            return self.reject(format!(
                "math between {tname} pointer and register with unbounded min value is not allowed"
            ));
        }
        if v.smin >= MAX_VAR_OFF || v.smin <= -MAX_VAR_OFF {
            return self.reject(format!(
                "value {} makes {tname} pointer be out of bounds",
                v.smin
            ));
        }
        Ok(())
    }

    pub(super) fn check_ld_imm64(
        &mut self,
        st: &mut VerifierState,
        d: u8,
        kind: Imm64Kind,
        imm: u64,
        pc: usize,
    ) -> R<()> {
        self.check_dst(d)?;
        let r = match kind {
            Imm64Kind::Imm => RegState::konst(imm),
            Imm64Kind::MapFd | Imm64Kind::MapIdx => {
                let idx = imm as u32;
                if idx as usize >= self.input.prog.maps.len() {
                    return self.reject(format!("fd {} is not pointing to valid bpf_map", idx));
                }
                RegState {
                    map: idx,
                    ..RegState::ptr(PtrKind::MapPtr)
                }
            }
            Imm64Kind::MapValue | Imm64Kind::MapIdxValue => {
                let idx = imm as u32;
                let off = (imm >> 32) as u32;
                let Some(m) = self.input.prog.maps.get(idx as usize) else {
                    return self.reject(format!("fd {} is not pointing to valid bpf_map", idx));
                };
                if off >= m.value_size {
                    return self.reject(format!(
                        "invalid access to map value pointer, value_size={} off={}",
                        m.value_size, off
                    ));
                }
                RegState {
                    map: idx,
                    off: off as i32,
                    ..RegState::ptr(PtrKind::MapValue)
                }
            }
            Imm64Kind::Func => {
                let target = (pc as i64 + 1 + imm as u32 as i32 as i64) as usize;
                let Some(sp) = self.subprog_starting_at(target) else {
                    return self.reject("callback is not a function");
                };
                // check_ld_imm on BPF_PSEUDO_FUNC: only a static function can be a callback
                // (a global one is verified for its prototype's arguments, not a callback's).
                if self.is_global(sp) {
                    return self.reject("callback function not static");
                }
                // `check_max_stack_depth` walks a loaded function (`bpf_pseudo_func`) as a
                // call from the function that loads it.
                let caller = st.cur().subprog;
                if !self.record.facts[caller].callees.contains(&sp) {
                    self.record.facts[caller].callees.push(sp);
                }
                RegState {
                    map: sp as u32,
                    ..RegState::ptr(PtrKind::Func)
                }
            }
            // check_pseudo_btf_id: the address of a kernel variable (a ksym) by its vmlinux BTF
            // id. The simulated kernel's BTF has no variables, so no id names one, and the
            // interpreter could not give the address (found by the `verify` fuzz target: an
            // accepted `r0 = btf_id(0) ll` faulted at run time).
            Imm64Kind::BtfId => {
                return self.reject(format!(
                    "ldimm64 insn specifies invalid btf_id {}.",
                    imm as u32 as i32
                ));
            }
        };
        self.set_reg(st, d, r);
        Ok(())
    }

    /// Legacy packet loads (`check_ld_abs`, 6.12): R6 readable; no reference held
    /// (`check_reference_leak`'s lines, then `BPF_LD_[ABS|IND] cannot be mixed with socket
    /// references`), no spin lock, RCU read section or preempt-disabled region held (and no
    /// saved IRQ state, in today's wording: that tracking came after 6.12), since the load's
    /// failure path leaves the function; R6 the ctx; for `LD_IND` the index register readable.
    /// Then the failure path itself (`bpf_gen_ld_abs`: an out-of-bounds load is a hidden
    /// `exit` with R0 = 0 from the *current* function) is explored: the exit's checks with
    /// R0 = 0, and in a callee the caller continuing with R0 = 0.
    pub(super) fn check_ld_abs(
        &mut self,
        st: &mut VerifierState,
        _size: Size,
        src: Option<u8>,
        pc: usize,
    ) -> R<()> {
        if !unwind_kernel::rules::legacy_packet_loads(self.input.prog_type) {
            return self.reject("BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        let r6 = self.read_reg(st, 6)?;
        // check_reference_leak as at an exit of this frame: the program's (every reference),
        // a callback's (its own); a static callee returns to a caller that still holds them.
        if let Err(leak) = self.check_exit_leak(st) {
            // Both lines, as the kernel prints them.
            self.log.error(&leak.msg);
            return self.reject("BPF_LD_[ABS|IND] cannot be mixed with socket references");
        }
        if st.active_lock.is_some() {
            return self.reject("BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
        }
        if st.active_rcu > 0 {
            return self
                .reject("BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region");
        }
        if st.active_preempt > 0 {
            return self
                .reject("BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region");
        }
        if !st.irq_flags.is_empty() {
            return self
                .reject("BPF_LD_[ABS|IND] cannot be used inside bpf_local_irq_save-ed region");
        }
        if r6.kind() != Some(PtrKind::Ctx) {
            return self.reject("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
        }
        if let Some(s) = src {
            self.read_reg(st, s)?;
        }
        for r in 1..=5 {
            *st.reg_mut(r) = RegState::NOT_INIT;
        }
        // The failure path: the current function returns 0 here.
        let mut fail = st.clone();
        self.set_reg(&mut fail, 0, RegState::konst(0));
        if let super::Next::Goto(to) = self.check_exit(&mut fail, pc)? {
            self.push_branch(fail, to, pc)?;
        }
        self.set_reg(st, 0, RegState::unknown());
        Ok(())
    }
}
