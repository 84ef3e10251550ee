//! Calls: helpers and kfuncs checked against the catalogue (`check_helper_call`,
//! `check_kfunc_call`, `check_func_arg`), reference acquisition and release, spin locks and
//! RCU sections, bpf-to-bpf calls (`check_func_call`) and `bpf_loop` callbacks.

use unwind_isa::CallTarget;
use unwind_kernel::{
    helper_by_id, helper_name, kfunc_by_btf_id, ArgKind, Effect, Func, ResourceKind, RetKind,
};
use unwind_program::GlobalArg;

use super::mem::Access;
use super::{Env, Next, R};
use crate::state::{
    FrameKind, FuncState, IrqFlag, PtrKind, RefState, RegState, VerifierState, MAX_CALL_FRAMES,
};

fn resource_ptr(kind: ResourceKind) -> PtrKind {
    match kind {
        ResourceKind::Socket => PtrKind::Socket,
        ResourceKind::Object => PtrKind::Object,
        ResourceKind::RingbufRecord => PtrKind::RingbufMem,
        ResourceKind::Task => PtrKind::Task,
        ResourceKind::Cgroup => PtrKind::Cgroup,
        ResourceKind::Cpumask => PtrKind::Cpumask,
        ResourceKind::PercpuObject => PtrKind::PercpuObject,
    }
}

fn expected(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Socket => "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_",
        ResourceKind::RingbufRecord => "ringbuf_mem",
        ResourceKind::Object => "ptr_",
        ResourceKind::Task => "trusted_ptr_task_struct",
        ResourceKind::Cgroup => "trusted_ptr_cgroup",
        ResourceKind::Cpumask => "trusted_ptr_bpf_cpumask",
        ResourceKind::PercpuObject => "percpu_ptr_",
    }
}

impl Env<'_> {
    /// A ctx pointer passed to a helper or a global function must point to the ctx's start
    /// (the kernel's `check_func_arg_reg_off` → `__check_ptr_off_reg`): the callee checks its
    /// accesses against the whole ctx.
    fn ctx_arg_at_base(&self, r: &RegState, regno: u8) -> R<()> {
        self.ptr_arg_at_base(r, regno, "ctx")
    }

    /// The same for any pointer `__check_ptr_off_reg` checks without a fixed offset allowed
    /// (a callback's address: `r2 = cb; r2 += 8` is not a function): negative, then fixed,
    /// then variable offsets, each with its message.
    fn ptr_arg_at_base(&self, r: &RegState, regno: u8, ty: &str) -> R<()> {
        if r.off < 0 {
            return self.reject(format!(
                "negative offset {ty} ptr R{regno} off={} disallowed",
                r.off
            ));
        }
        if r.off != 0 {
            return self.reject(format!(
                "dereference of modified {ty} ptr R{regno} off={} disallowed",
                r.off
            ));
        }
        if !r.var.is_const() || r.var.var_off.value != 0 {
            return self.reject(format!(
                "variable {ty} access var_off={} disallowed",
                r.var.var_off
            ));
        }
        Ok(())
    }

    /// A kernel object inside a map value (`struct bpf_spin_lock`, `struct bpf_timer`) at a
    /// constant offset. Without BTF its field is not known: it must at least be `size` bytes of
    /// the value, aligned to `align`.
    fn map_value_field(
        &self,
        r: &RegState,
        regno: u8,
        name: &str,
        size: i64,
        align: i64,
        shape: &str,
    ) -> R<()> {
        if r.kind() != Some(PtrKind::MapValue) || r.maybe_null {
            return self.reject(format!("R{regno} type={} expected=map_value", r.type_str()));
        }
        if !r.var.is_const() {
            return self.reject(format!(
                "R{regno} doesn't have constant offset. {name} has to be at the constant offset"
            ));
        }
        let off = r.off as i64 + r.var.smin;
        let value_size = self.input.maps.get(r.map as usize).map_or(0, |m| m.2) as i64;
        if off < 0 || off % align != 0 || off + size > value_size {
            return self.reject(format!(
                "off {off} doesn't point to 'struct {name}' ({shape} of the {value_size}-byte value)"
            ));
        }
        Ok(())
    }
}

/// How many acquired references a path may hold at once.
pub const MAX_HELD_REFERENCES: usize = 256;

impl Env<'_> {
    pub(super) fn check_call(
        &mut self,
        st: &mut VerifierState,
        target: CallTarget,
        pc: usize,
    ) -> R<Next> {
        match target {
            CallTarget::Local(rel) => {
                let t = (pc as i64 + 1 + rel as i64) as usize;
                self.check_func_call(st, pc, t)
            }
            CallTarget::Helper(id) => {
                if st.active_lock.is_some() && !matches!(id, 94) {
                    return self.reject("function calls are not allowed while holding a lock");
                }
                match helper_by_id(id) {
                    Some(f) => {
                        if !f.allowed_in(self.input.prog_type) {
                            return self.reject(format!("unknown func {}#{id}", f.name));
                        }
                        self.call_func(st, f, pc)
                    }
                    None => match helper_name(id) {
                        // a UAPI helper the catalogue does not model: any arguments, a number back
                        Some(_) => {
                            self.clobber(st);
                            self.set_reg(st, 0, RegState::unknown());
                            Ok(Next::Goto(pc + 1))
                        }
                        None => self.reject(format!("invalid func unknown#{id}")),
                    },
                }
            }
            CallTarget::Kfunc(btf) => {
                let Some(f) = kfunc_by_btf_id(btf) else {
                    return self.reject(format!("kernel btf_id {btf} is not a function"));
                };
                if st.active_lock.is_some() {
                    return self.reject("function calls are not allowed while holding a lock");
                }
                if !f.allowed_in(self.input.prog_type) {
                    return self
                        .reject(format!("calling kernel function {} is not allowed", f.name));
                }
                self.call_func(st, f, pc)
            }
        }
    }

    /// R1-R5 are clobbered by every call.
    fn clobber(&mut self, st: &mut VerifierState) {
        for r in 1..=5 {
            self.log.scratch_reg(r);
            *st.reg_mut(r) = RegState::NOT_INIT;
        }
    }

    fn call_func(&mut self, st: &mut VerifierState, f: &'static Func, pc: usize) -> R<Next> {
        let kf = f.is_kfunc();
        let mut map: Option<u32> = None;
        let mut released: Option<u32> = None;
        let mut alloc_size: u32 = 0;
        let mut callback: Option<usize> = None;
        let mut lock_reg: Option<RegState> = None;
        let mut irq_slot: Option<(u8, i32)> = None;
        // The map whose value holds the timer (the async callback's arguments).
        let mut timer_map: Option<u32> = None;
        for (i, arg) in f.args.iter().enumerate() {
            let regno = (i + 1) as u8;
            if f.name == "bpf_trace_printk" && i >= 2 {
                // the kernel's prototype types only the format and its size
                break;
            }
            let r = self.read_reg(st, regno)?;
            let argname = |regno: u8| {
                if kf {
                    format!("arg{}", regno - 1)
                } else {
                    format!("R{regno}")
                }
            };
            match *arg {
                ArgKind::Anything | ArgKind::ConstZero => {}
                ArgKind::Scalar => {
                    if kf && !r.is_scalar() {
                        // check_kfunc_args on a scalar parameter (bpf_throw's cookie, say)
                        return self.reject(format!("R{regno} is not a scalar"));
                    }
                    if !r.is_scalar() {
                        return self
                            .reject(format!("R{regno} type={} expected=scalar", r.type_str()));
                    }
                }
                ArgKind::MapPtr => {
                    if r.kind() != Some(PtrKind::MapPtr) || r.maybe_null {
                        return self
                            .reject(format!("R{regno} type={} expected=map_ptr", r.type_str()));
                    }
                    map = Some(r.map);
                    // check_map_func_compatibility: a ringbuf for bpf_ringbuf_reserve, and a
                    // prog array for bpf_tail_call and for nothing else.
                    let mt = self.input.prog.maps[r.map as usize].map_type;
                    let is_tail_call = f.effect == Effect::TailCall;
                    let prog_array = mt == unwind_kernel::MapType::ProgArray;
                    if (f.name == "bpf_ringbuf_reserve" && mt != unwind_kernel::MapType::Ringbuf)
                        || is_tail_call != prog_array
                    {
                        return self.reject(format!(
                            "cannot pass map_type {} into func {}#{}",
                            mt.uapi_id(),
                            f.name,
                            helper_id(f)
                        ));
                    }
                }
                ArgKind::MapKey | ArgKind::MapValue => {
                    let Some(m) = map else {
                        return self.reject("invalid map_ptr to access map->key");
                    };
                    let md = &self.input.prog.maps[m as usize];
                    let size = if *arg == ArgKind::MapKey {
                        md.key_size
                    } else {
                        md.value_size
                    };
                    if !matches!(
                        r.kind(),
                        Some(
                            PtrKind::Stack
                                | PtrKind::Packet
                                | PtrKind::PacketMeta
                                | PtrKind::MapKey
                                | PtrKind::MapValue
                        )
                    ) || r.maybe_null
                    {
                        return self.reject(format!(
                            "R{regno} type={} expected=fp, pkt, pkt_meta, map_key, map_value",
                            r.type_str()
                        ));
                    }
                    self.helper_mem(st, regno, size as u64, Access::Read, false)?;
                }
                ArgKind::ReadableMem | ArgKind::WritableMem => {
                    if r.maybe_null || !r.is_ptr() {
                        return self.reject(format!(
                            "R{regno} type={} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
                            r.type_str()
                        ));
                    }
                    // the size is the next argument
                    let sz = self.read_reg(st, regno + 1)?;
                    let zero_ok = matches!(f.args.get(i + 1), Some(ArgKind::ConstSizeOrZero));
                    self.check_mem_size(st, regno + 1, &sz, zero_ok)?;
                    let access = if *arg == ArgKind::WritableMem {
                        Access::Write
                    } else {
                        Access::Read
                    };
                    self.helper_mem(st, regno, sz.var.umax, access, zero_ok)?;
                }
                ArgKind::ConstSize | ArgKind::ConstSizeOrZero => {
                    // checked with the memory argument before it
                    if !r.is_scalar() {
                        return self
                            .reject(format!("R{regno} type={} expected=scalar", r.type_str()));
                    }
                }
                ArgKind::ConstAllocSize => {
                    if !r.is_scalar() || !r.var.is_const() {
                        return self.reject(format!("R{regno} is not a known constant'"));
                    }
                    alloc_size = r.var.var_off.value as u32;
                }
                ArgKind::Ctx => {
                    if r.kind() != Some(PtrKind::Ctx) {
                        return self.reject(format!("R{regno} type={} expected=ctx", r.type_str()));
                    }
                    self.ctx_arg_at_base(&r, regno)?;
                }
                ArgKind::SpinLock => {
                    // The simulated kernel writes the lock word.
                    self.map_value_field(
                        &r,
                        regno,
                        "bpf_spin_lock",
                        4,
                        4,
                        "a 4-byte aligned word",
                    )?;
                    lock_reg = Some(r);
                }
                ArgKind::Callback => {
                    if r.kind() != Some(PtrKind::Func) {
                        return self
                            .reject(format!("R{regno} type={} expected=func", r.type_str()));
                    }
                    self.ptr_arg_at_base(&r, regno, "func")?;
                    callback = Some(r.map as usize);
                }
                ArgKind::Timer => {
                    self.map_value_field(&r, regno, "bpf_timer", 16, 8, "16 8-byte-aligned bytes")?;
                    timer_map = Some(r.map);
                }
                ArgKind::IrqFlag => {
                    // `process_irq_flag`: an 8-byte slot of the stack at a fixed offset.
                    if r.kind() != Some(PtrKind::Stack) || !r.var.is_const() {
                        return self.reject(format!(
                            "arg#{} doesn't point to an irq flag on stack",
                            regno - 1
                        ));
                    }
                    let off = r.off + r.var.smin as i32;
                    if off % 8 != 0 {
                        return self.reject(format!(
                            "arg#{} doesn't point to an irq flag on stack",
                            regno - 1
                        ));
                    }
                    // `process_irq_flag`: the save needs a slot without flags (it then writes
                    // them); the restore a slot with intact ones, whose type it checks instead
                    // of reading it (the flags are the kernel's, not the program's to read).
                    if f.effect == Effect::IrqSave {
                        if st
                            .irq_flags
                            .iter()
                            .any(|q| q.intact && (q.frame, q.off) == (r.frameno, off))
                        {
                            return self.reject("expected uninitialized irq flag as arg#0");
                        }
                        self.helper_mem(st, regno, 8, Access::Write, false)?;
                    }
                    irq_slot = Some((r.frameno, off));
                }
                ArgKind::StackOrNull => {
                    if !(r.kind() == Some(PtrKind::Stack) || r.is_const(0)) {
                        return self.reject(format!("R{regno} type={} expected=fp", r.type_str()));
                    }
                }
                ArgKind::Release(kind) => {
                    let want = resource_ptr(kind);
                    // a socket release takes any socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON)
                    let ok_type = r.kind() == Some(want)
                        || (kind == ResourceKind::Socket && r.kind() == Some(PtrKind::SockCommon));
                    if kf && r.is_ptr() && r.maybe_null && ok_type {
                        return self.reject(format!(
                            "Possibly NULL pointer passed to trusted {}",
                            argname(regno)
                        ));
                    }
                    if !ok_type || r.maybe_null {
                        return self.reject(format!(
                            "R{regno} type={} expected={}",
                            r.type_str(),
                            expected(kind)
                        ));
                    }
                    if r.ref_obj_id == 0 {
                        return self.reject(format!(
                            "R{regno} must be referenced when passed to release function"
                        ));
                    }
                    if r.off != 0 || !r.var.is_const() || r.var.var_off.value != 0 {
                        return self.reject(format!(
                            "R{regno} must have zero offset when passed to release func"
                        ));
                    }
                    released = Some(r.ref_obj_id);
                }
            }
        }
        // effects
        match f.effect {
            Effect::Release(_) => {
                if let Some(id) = released {
                    self.note_release(st, id);
                    if !st.release_reference(id) {
                        return self
                            .reject("R1 must be referenced when passed to release function");
                    }
                }
            }
            Effect::SpinLock => {
                if st.active_lock.is_some() {
                    return self.reject("Locking two bpf_spin_locks are not allowed");
                }
                let r = lock_reg.expect("lock arg");
                st.active_lock = Some(lock_identity(&r));
            }
            Effect::SpinUnlock => {
                let r = lock_reg.expect("lock arg");
                match st.active_lock {
                    None => return self.reject("bpf_spin_unlock without taking a lock"),
                    Some(m) if m != lock_identity(&r) => {
                        return self.reject("bpf_spin_unlock of different lock")
                    }
                    _ => st.active_lock = None,
                }
            }
            Effect::RcuReadLock => {
                if st.active_rcu > 0 {
                    return self
                        .reject(format!("nested rcu read lock (kernel function {})", f.name));
                }
                st.active_rcu += 1;
            }
            Effect::RcuReadUnlock => {
                if st.active_rcu == 0 {
                    return self.reject(format!(
                        "unmatched rcu read unlock (kernel function {})",
                        f.name
                    ));
                }
                st.active_rcu -= 1;
            }
            Effect::PreemptDisable => st.active_preempt += 1,
            Effect::PreemptEnable => {
                if st.active_preempt == 0 {
                    return self.reject(format!(
                        "unmatched attempt to enable preemption (kernel function {})",
                        f.name
                    ));
                }
                st.active_preempt -= 1;
            }
            Effect::IrqSave => {
                let (frame, off) = irq_slot.expect("irq flag arg");
                let id = self.new_id();
                st.irq_flags.push(IrqFlag {
                    id,
                    frame,
                    off,
                    insn: pc,
                    intact: true,
                });
            }
            Effect::IrqRestore => {
                let (frame, off) = irq_slot.expect("irq flag arg");
                let Some(i) = st
                    .irq_flags
                    .iter()
                    .position(|q| q.intact && (q.frame, q.off) == (frame, off))
                else {
                    return self.reject("expected an initialized irq flag as arg#0");
                };
                let newest = *st.irq_flags.last().expect("not empty");
                if i + 1 != st.irq_flags.len() {
                    return self.reject(format!(
                        "cannot restore irq state out of order, expected id={} acquired at insn_idx={}",
                        newest.id, newest.insn
                    ));
                }
                st.irq_flags.pop();
            }
            Effect::Throw => {
                // The default exception callback returns the cookie, so the cookie must pass
                // the program's return rules (a923819fb2c5: check_return_code on R1).
                if !self
                    .input
                    .prog
                    .functions
                    .iter()
                    .any(|f| f.is_exception_callback)
                {
                    if let Some((lo, hi)) = unwind_kernel::rules::return_range(self.input.prog_type)
                    {
                        let r1 = self.read_reg(st, 1)?;
                        if !r1.is_scalar() || r1.var.smin < lo as i64 || r1.var.smax > hi as i64 {
                            if self.input.opts.mode == crate::Mode::Legacy && r1.is_scalar() {
                                return self
                                    .reject(super::exit::legacy_invalid_return(&r1, lo, hi));
                            }
                            return self.reject(super::exit::invalid_scalar(
                                &r1,
                                lo,
                                hi,
                                "At program exit",
                                "R1",
                            ));
                        }
                    }
                }
                self.clobber(st);
                return self.exception_exit(st, pc);
            }
            Effect::TimerCallback => {
                // `push_async_cb`: the callback is verified later as a call chain of its own
                // (frame 0, no references, locks or sections), with the map, the key and the
                // value that hold the timer; the caller goes on.
                let cb = callback.expect("callback arg");
                let m = timer_map.expect("timer arg");
                self.record.facts[cb].is_async_cb = true;
                self.record.facts[cb].is_cb = true;
                let mut f = FuncState::new(0, pc, cb, FrameKind::AsyncCallback);
                f.regs[1] = RegState {
                    map: m,
                    ..RegState::ptr(PtrKind::MapPtr)
                };
                f.regs[2] = RegState {
                    map: m,
                    ..RegState::ptr(PtrKind::MapKey)
                };
                f.regs[3] = RegState {
                    map: m,
                    ..RegState::ptr(PtrKind::MapValue)
                };
                for r in 1..=3 {
                    f.regs[r].written = true;
                }
                let async_st = VerifierState {
                    frames: vec![f],
                    refs: Vec::new(),
                    active_lock: None,
                    active_rcu: 0,
                    active_preempt: 0,
                    irq_flags: Vec::new(),
                    callback_unroll_depth: 0,
                    may_goto_depth: 0,
                };
                let start = self.input.prog.functions[cb].start;
                self.push_branch(async_st, start, pc)?;
            }
            Effect::Loop => {
                let cb = callback.expect("callback arg");
                return self.enter_callback(st, pc, cb);
            }
            Effect::TailCall => {
                // check_helper_call's BPF_FUNC_tail_call case (6.12): the target returns in
                // this program's place, so nothing may be held (check_reference_leak's lines,
                // then "tail_call would lead to reference leak"), nor an RCU read section or
                // a preempt-disabled region (a spin lock refuses every call before this);
                // saved IRQ state came after 6.12 (today's wording).
                // (check_reference_leak as at an exit of this frame: from a static callee the
                // target returns to the caller, which still holds its references)
                if let Err(leak) = self.check_exit_leak(st) {
                    self.log.error(&leak.msg);
                    return self.reject("tail_call would lead to reference leak");
                }
                if st.active_rcu > 0 {
                    return self
                        .reject("tail_call cannot be used inside bpf_rcu_read_lock-ed region");
                }
                if st.active_preempt > 0 {
                    return self
                        .reject("tail_call cannot be used inside bpf_preempt_disable-ed region");
                }
                if !st.irq_flags.is_empty() {
                    return self
                        .reject("tail_call cannot be used inside bpf_local_irq_save-ed region");
                }
                // A tail call from a static subprogram returns the target's result from the
                // subprogram: the caller continues with any R0 (the abnormal return).
                if st.cur().kind == FrameKind::Static {
                    let mut ret = st.clone();
                    for r in 1..=5 {
                        *ret.reg_mut(r) = RegState::NOT_INIT;
                    }
                    self.set_reg(&mut ret, 0, RegState::unknown());
                    if let Next::Goto(to) = self.check_exit(&mut ret, pc)? {
                        self.push_branch(ret, to, pc)?;
                    }
                }
            }
            Effect::Acquire(_) | Effect::None => {}
        }
        self.clobber(st);
        let r0 = match f.ret {
            RetKind::Void | RetKind::Scalar | RetKind::Never => RegState::unknown(),
            RetKind::MapValueOrNull => {
                let id = self.new_id();
                RegState {
                    map: map.unwrap_or(0),
                    maybe_null: true,
                    id,
                    ..RegState::ptr(PtrKind::MapValue)
                }
            }
            RetKind::AcquiredOrNull(kind) => {
                if st.refs.len() >= MAX_HELD_REFERENCES {
                    // Not a kernel limit: a path that keeps acquiring without releasing (an
                    // acquisition in a loop) would otherwise grow every state and log line
                    // until the 1M-instruction limit, taking minutes and gigabytes.
                    return self.reject(format!(
                        "more than {MAX_HELD_REFERENCES} references held at once (the {} at insn {pc} is one too many)",
                        f.name
                    ));
                }
                let id = self.new_id();
                st.refs.push(RefState {
                    id,
                    insn: pc,
                    kind,
                    frame: st.curframe() as u8,
                });
                RegState {
                    maybe_null: true,
                    id,
                    ref_obj_id: id,
                    mem_size: alloc_size,
                    ..RegState::ptr(resource_ptr(kind))
                }
            }
        };
        let r0 = if f.ret == RetKind::Void {
            RegState {
                ..RegState::NOT_INIT
            }
        } else {
            r0
        };
        if r0.is_init() {
            self.set_reg(st, 0, r0);
        } else {
            *st.reg_mut(0) = RegState::NOT_INIT;
        }
        Ok(Next::Goto(pc + 1))
    }

    /// `check_mem_size_reg`.
    fn check_mem_size(
        &mut self,
        _st: &mut VerifierState,
        regno: u8,
        r: &RegState,
        zero_ok: bool,
    ) -> R<()> {
        if !r.is_scalar() {
            return self.reject(format!("R{regno} type={} expected=scalar", r.type_str()));
        }
        if r.var.smin < 0 {
            return self.reject(format!("R{regno} min value is negative, either use unsigned index or do a if (index >=0) check."));
        }
        if r.var.umin == 0 && !zero_ok {
            return self.reject(format!(
                "R{regno} invalid zero-sized read: u64=[{},{}]",
                r.var.umin as i64, r.var.umax as i64
            ));
        }
        if r.var.umax >= 1 << 29 {
            return self.reject(format!(
                "R{regno} unbounded memory access, use 'var &= const' or 'if (var < const)'"
            ));
        }
        Ok(())
    }

    fn enter_callback(&mut self, st: &mut VerifierState, pc: usize, cb: usize) -> R<Next> {
        if st.frames.len() >= MAX_CALL_FRAMES {
            return self.reject(format!(
                "the call stack of {} frames is too deep",
                st.frames.len() + 1
            ));
        }
        // The loop may end before this iteration: continue after the call with R0 a number.
        // Otherwise the callback runs once more; its exit comes back to this call, which is
        // checked again and iterates until a state of this path at the call subsumes the new
        // one (prune.rs), or the loop count's upper bound is reached.
        let mut skip = st.clone();
        for r in 1..=5 {
            *skip.reg_mut(r) = RegState::NOT_INIT;
        }
        skip.reg_mut(0).clone_from(&RegState::unknown());
        // `push_callback_call`: the path that goes on after the call starts the caller's
        // count again (`caller->callback_depth = 0`); `callback_unroll_depth`, which tells
        // the iterations apart for the infinite-loop check, is kept.
        skip.cur_mut().callback_depth = 0;
        let nr_loops = st.reg(1);
        // no more iterations once the count's upper bound is reached
        let done = nr_loops.is_scalar() && nr_loops.var.umax <= u64::from(st.cur().callback_depth);
        if done {
            *st = skip;
            return Ok(Next::Goto(pc + 1));
        }
        self.push_branch(skip, pc + 1, pc)?;
        self.paths.calls_callback[pc] = true;
        self.record.facts[cb].is_cb = true;
        let ctx = *st.reg(3);
        let frameno = st.frames.len() as u8;
        let mut f = FuncState::new(frameno, pc, cb, FrameKind::Callback);
        f.regs[1] = RegState::unknown();
        f.regs[1].written = true;
        f.regs[2] = ctx;
        self.paths.prune_point[pc] = true;
        st.frames.push(f);
        let start = self.input.prog.functions[cb].start;
        Ok(Next::Goto(start))
    }

    /// `btf_check_func_arg_match`: the caller's R1-R5 against a global function's prototype.
    fn check_global_args(&mut self, st: &mut VerifierState, sp: usize) -> R<()> {
        // btf_prepare_func_args checks the prototype's return type first: a global function
        // must return an integer or an enum (Linux 6.18 still refuses `void`, as the running
        // kernel shows: docs/fidelity.md).
        let f = &self.input.prog.functions[sp];
        if f.returns_void {
            return self.reject(format!(
                "Global function {}() doesn't return scalar. Only those are supported.",
                f.name
            ));
        }
        let args = self.input.prog.functions[sp].args.clone();
        for (i, a) in args.iter().enumerate().take(5) {
            let regno = (i + 1) as u8;
            // the prototype's check, not a read: an unset register is "not a scalar"
            let r = *st.reg(regno);
            match a {
                GlobalArg::Scalar => {
                    if !r.is_scalar() {
                        return self.reject(format!("R{regno} is not a scalar"));
                    }
                }
                GlobalArg::Ctx => {
                    // `check_func_arg_reg_off`, then the type: the callee is verified with
                    // the ctx at its base.
                    if r.kind() == Some(PtrKind::Ctx) {
                        self.ctx_arg_at_base(&r, regno)?;
                    } else {
                        return self.reject(format!("arg#{i} expects pointer to ctx"));
                    }
                }
                GlobalArg::Mem(n) => {
                    // `check_mem_reg`: NULL passes (the argument is nullable, as a plain
                    // pointer argument of a global function is); a pointer that may be NULL
                    // is checked as if it were not; the callee may read and write the
                    // memory, so on the stack it clobbers what was spilled there.
                    if r.is_const(0) {
                        continue;
                    }
                    if r.is_ptr() && !pointer_with_offset_ok(&r) {
                        // `check_func_arg_reg_off` → `__check_ptr_off_reg`
                        if r.off < 0 {
                            return self.reject(format!(
                                "negative offset {} ptr R{regno} off={} disallowed",
                                r.type_str(),
                                r.off
                            ));
                        }
                        // a PTR_TO_BTF_ID may have a fixed offset (`fixed_off_ok`)
                        let fixed_off_ok = r.kind() == Some(PtrKind::Object) && !r.maybe_null;
                        if r.off != 0 && !fixed_off_ok {
                            return self.reject(format!(
                                "dereference of modified {} ptr R{regno} off={} disallowed",
                                r.type_str(),
                                r.off
                            ));
                        }
                        if !r.var.is_const() || r.var.var_off.value != 0 {
                            return self.reject(format!(
                                "variable {} access var_off={} disallowed",
                                r.type_str(),
                                r.var.var_off
                            ));
                        }
                    }
                    if !r.is_ptr() || !mem_arg_kind(&r) {
                        // `check_helper_mem_access`'s default case
                        return self.reject(format!("R{regno} type={} expected=fp", r.type_str()));
                    }
                    let maybe_null = r.maybe_null;
                    st.reg_mut(regno).maybe_null = false;
                    let res = self
                        .helper_mem(st, regno, *n as u64, Access::Read, false)
                        .and_then(|()| self.helper_mem(st, regno, *n as u64, Access::Write, false));
                    st.reg_mut(regno).maybe_null = maybe_null;
                    res?;
                }
            }
        }
        Ok(())
    }

    /// `check_func_call`: a bpf-to-bpf call.
    fn check_func_call(&mut self, st: &mut VerifierState, pc: usize, target: usize) -> R<Next> {
        let Some(sp) = self.subprog_starting_at(target) else {
            return self.reject(format!("call to invalid destination {target}"));
        };
        // v6.7 refused every bpf-to-bpf call under a lock; since v6.9 only global ones are
        // (below), a static callee runs with the lock held (and may release it).
        if st.active_lock.is_some() && self.input.opts.mode == crate::Mode::Legacy {
            return self.reject("function calls are not allowed while holding a lock");
        }
        // A static function is verified in the caller's state, lock included (6.9 on: "Allow
        // calling static subprogs while holding a bpf_spin_lock"), so it may be called here.
        let caller = st.cur().subprog;
        if !self.record.facts[caller].callees.contains(&sp) {
            self.record.facts[caller].callees.push(sp);
        }
        let func = &self.input.prog.functions[sp];
        if func.is_exception_callback {
            return self.reject(format!("insn {pc} cannot call exception cb directly"));
        }
        if self.is_global(sp) {
            let name = func.name.clone();
            // `check_func_call` for a global callee: `btf_check_subprog_call` logs what is
            // wrong with an argument; then the lock and preemption rules; then the verdict
            // on the arguments.
            let args_ok = match self.check_global_args(st, sp) {
                Ok(()) => true,
                Err(e) => {
                    self.log.line(&e.msg);
                    false
                }
            };
            if st.active_lock.is_some() {
                return self.reject(
                    "global function calls are not allowed while holding a lock,\nuse static function instead",
                );
            }
            if st.active_preempt > 0 {
                return self.reject(
                    "global function calls are not allowed with preemption disabled,\nuse static function instead",
                );
            }
            // bpf_local_irq_save came after 6.12 (6.14), with this rule: today's wording.
            if !st.irq_flags.is_empty() {
                return self.reject(
                    "global function calls are not allowed with IRQs disabled,\nuse static function instead",
                );
            }
            if !args_ok {
                if self.input.opts.mode == crate::Mode::Legacy {
                    // v6.7 did not name the function yet
                    return self.reject(format!("Caller passes invalid args into func#{sp}"));
                }
                return self.reject(format!(
                    "Caller passes invalid args into func#{sp} ('{name}')"
                ));
            }
            if self.input.opts.mode == crate::Mode::Legacy {
                // v6.7, before "bpf: emit global subprog name in verifier logs" (v6.8)
                self.log
                    .line(&format!("Func#{sp} is global and valid. Skipping."));
            } else {
                self.log.line(&format!(
                    "Func#{sp} ('{name}') is global and assumed valid."
                ));
            }
            self.clobber(st);
            self.set_reg(st, 0, RegState::unknown());
            // The loophole's fix (upstream, May 2026): a global function that might throw
            // is an exception exit at the call site with the caller's state; the normal
            // return is explored later.
            if self.input.opts.mode != crate::Mode::Legacy && self.input.might_throw[sp] {
                self.log.line(&format!(
                    "Func#{sp} ('{name}') may throw exception, exploring program path where exception is thrown"
                ));
                self.push_branch(st.clone(), pc + 1, pc)?;
                return self.exception_exit(st, pc);
            }
            return Ok(Next::Goto(pc + 1));
        }
        if st.frames.len() >= MAX_CALL_FRAMES {
            return self.reject(format!(
                "the call stack of {} frames is too deep",
                st.frames.len() + 1
            ));
        }
        let frameno = st.frames.len() as u8;
        let mut f = FuncState::new(frameno, pc, sp, FrameKind::Static);
        for r in 1..=5 {
            f.regs[r] = st.cur().regs[r];
        }
        if self.log.level >= 2 {
            self.log.line("caller:");
            let t = crate::log::frame_text(st, st.curframe(), &self.input.maps, None);
            self.log.line(&t);
        }
        for r in 0..=5 {
            *st.reg_mut(r) = RegState::NOT_INIT;
        }
        // the caller's R1-R5 stay readable only in the callee
        let callee_regs = f.regs;
        st.frames.push(f);
        st.cur_mut().regs = callee_regs;
        // keep caller args for the caller frame as the kernel does (clobbered on return)
        if self.log.level >= 2 {
            self.log.line("callee:");
            let t = crate::log::frame_text(st, st.curframe(), &self.input.maps, None);
            self.log.line(&t);
        }
        Ok(Next::Goto(target))
    }
}

/// The memory pointers `check_helper_mem_access` measures by their region.
const MEM_POINTERS: [PtrKind; 7] = [
    PtrKind::Stack,
    PtrKind::Packet,
    PtrKind::PacketMeta,
    PtrKind::MapKey,
    PtrKind::MapValue,
    PtrKind::Mem,
    PtrKind::RingbufMem,
];

/// `check_func_arg_reg_off`'s pointer types where fixed and variable offsets are allowed (a
/// pointer that may be NULL is not one of them: its type differs).
fn pointer_with_offset_ok(r: &RegState) -> bool {
    !r.maybe_null && r.kind().is_some_and(|k| MEM_POINTERS.contains(&k))
}

/// The pointers `check_helper_mem_access` measures (whatever else is "expected=fp"); an
/// allocated object (`bpf_obj_new`'s, PTR_TO_BTF_ID | MEM_ALLOC) is measured against its size.
fn mem_arg_kind(r: &RegState) -> bool {
    r.kind()
        .is_some_and(|k| k == PtrKind::Object || MEM_POINTERS.contains(&k))
}

fn helper_id(f: &Func) -> i32 {
    match f.kind {
        unwind_kernel::FuncKind::Helper(id) | unwind_kernel::FuncKind::Kfunc(id) => id,
    }
}

/// Which lock a map value pointer names: its element (`lock_id`, from the lookup) when known,
/// else its map (a value from a global function's argument, say), with the offset.
fn lock_identity(r: &RegState) -> u32 {
    let base = if r.lock_id != 0 {
        r.lock_id
    } else {
        0x8000_0000 | r.map
    };
    base.wrapping_mul(31)
        .wrapping_add(r.off as u32 + r.var.smin as u32)
}
