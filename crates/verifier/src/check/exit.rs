//! `exit`: leaving a callee (R0 handed back, callbacks' return range) or the program
//! (resource leaks, locks, RCU, the program type's return range: `check_return_code`,
//! `check_reference_leak`, `prepare_func_exit`).

use unwind_kernel::rules;

use super::{Env, Next, R};
use crate::state::{FrameKind, PtrKind, RegState, VerifierState};

impl Env<'_> {
    pub(super) fn check_exit(&mut self, st: &mut VerifierState, pc: usize) -> R<Next> {
        let frame_kind = st.cur().kind;
        // A static callee may return with the lock held, for its caller to release (since
        // v6.9; verifier_spin_lock.c "test10 lock in subprog without unlock"); the program and
        // a callback may not, and v6.7 checked every exit.
        if st.active_lock.is_some()
            && (st.curframe() == 0
                || frame_kind == FrameKind::Callback
                || self.input.opts.mode == crate::Mode::Legacy)
        {
            return self.reject("bpf_spin_unlock is missing");
        }
        if st.active_rcu > 0 && st.curframe() == 0 {
            return self.reject("bpf_rcu_read_unlock is missing");
        }
        if st.active_preempt > 0 && st.curframe() == 0 {
            return self.reject(preempt_missing(st.active_preempt));
        }
        if !st.irq_flags.is_empty() && st.curframe() == 0 {
            // bpf_local_irq_save came after 6.12: today's wording.
            return self.reject(
                "BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region",
            );
        }
        if st.curframe() == 0 || frame_kind == FrameKind::Callback {
            self.check_reference_leak(st, frame_kind == FrameKind::Callback)?;
        }
        if st.curframe() == 0 {
            let func = &self.input.prog.functions[st.cur().subprog];
            if func.linkage == unwind_program::Linkage::Global && func.returns_void {
                // BTF says void: R0 is not a result (and need not be set).
                return Ok(Next::Done);
            }
        }
        if st.curframe() > 0 {
            // `prepare_func_exit` does not read R0: a static callee returns whatever R0 holds,
            // uninitialised included (the caller may not read it); a callback's R0 must be a
            // scalar ("R0 not a scalar value").
            let r0 = *st.reg(0);
            return self.prepare_func_exit(st, pc, r0);
        }
        let r0 = self.read_reg(st, 0)?;
        if frame_kind == FrameKind::AsyncCallback {
            // check_return_code: an async callback returns 0.
            if !r0.is_scalar() {
                return self.reject("R0 not a scalar value");
            }
            if r0.var.smin != 0 || r0.var.smax != 0 {
                return self.reject(invalid_scalar(&r0, 0, 0, "At async callback", "R0"));
            }
            return Ok(Next::Done);
        }
        // the root frame of the main program, a global function or the exception callback
        let sp = st.cur().subprog;
        let func = &self.input.prog.functions[sp];
        // The exception callback is a global function too: its `int` return is what BTF
        // checks in the kernel (`return value not void or scalar`); without BTF, R0's type.
        if func.linkage == unwind_program::Linkage::Global && !r0.is_scalar() {
            return self.reject(format!(
                "At subprogram exit the register R0 is not a scalar value ({})",
                r0.type_str()
            ));
        }
        if func.linkage == unwind_program::Linkage::Global && !func.is_exception_callback {
            return Ok(Next::Done);
        }
        if let Some((lo, hi)) = rules::return_range(self.input.prog_type) {
            if !r0.is_scalar() {
                return self.reject(format!(
                    "At program exit the register R0 is not a known value ({})",
                    r0.type_str()
                ));
            }
            if r0.var.smin < lo as i64 || r0.var.smax > hi as i64 {
                if self.input.opts.mode == crate::Mode::Legacy && func.is_exception_callback {
                    return self.reject(legacy_invalid_return(&r0, lo, hi));
                }
                return self.reject(invalid_scalar(&r0, lo, hi, "At program exit", "R0"));
            }
        }
        Ok(Next::Done)
    }

    /// The references an exit of the current frame would leak (`check_reference_leak` with
    /// `exception_exit` false): every one at the program's or a root function's exit, a
    /// callback's own at its exit, none from a static callee (its caller still holds them).
    pub(super) fn check_exit_leak(&mut self, st: &VerifierState) -> R<()> {
        match st.cur().kind {
            FrameKind::Static => Ok(()),
            FrameKind::Callback => self.check_reference_leak(st, true),
            FrameKind::Root | FrameKind::AsyncCallback => self.check_reference_leak(st, false),
        }
    }

    pub fn check_reference_leak(&mut self, st: &VerifierState, callback_only: bool) -> R<()> {
        let mut first = None;
        for r in &st.refs {
            if callback_only && r.frame < st.curframe() as u8 {
                continue;
            }
            let line = format!("Unreleased reference id={} alloc_insn={}", r.id, r.insn);
            if first.is_none() {
                first = Some(line);
            } else {
                self.log.error(first.as_ref().unwrap());
                first = Some(line);
            }
        }
        match first {
            Some(m) => self.reject(m),
            None => Ok(()),
        }
    }

    /// `prepare_func_exit`.
    fn prepare_func_exit(&mut self, st: &mut VerifierState, _pc: usize, r0: RegState) -> R<Next> {
        let callee = st.frames.pop().expect("callee");
        let callsite = callee.callsite;
        if callee.kind == FrameKind::Callback {
            if !r0.is_scalar() {
                return self.reject("R0 not a scalar value");
            }
            if r0.var.smin < 0 || r0.var.smax > 1 {
                return self.reject(invalid_scalar(&r0, 0, 1, "At callback return", "R0"));
            }
            // bpf_loop: back to the call, which runs the callback again (the caller's R1-R5
            // still hold its arguments) until the states converge
            st.callback_unroll_depth += 1;
            st.cur_mut().callback_depth += 1;
        } else {
            if r0.kind() == Some(PtrKind::Stack) && r0.frameno == callee.frameno {
                return self.reject("cannot return stack pointer to the caller");
            }
            for r in 1..=5 {
                *st.reg_mut(r) = RegState::NOT_INIT;
            }
            // has_abnormal_return (6.12.y, "Don't trust r0 bounds after BPF to BPF calls with
            // abnormal returns"): a callee with an LD_ABS or a tail call may return before its
            // exit, so the caller's R0 is unknown. A callee's exit does not read R0
            // (`prepare_func_exit`): unset, it stays unset for the caller.
            let r0 = if self.input.abnormal_return[callee.subprog] {
                RegState::unknown()
            } else {
                r0
            };
            if r0.is_init() {
                self.set_reg(st, 0, r0);
            } else {
                *st.reg_mut(0) = RegState::NOT_INIT;
            }
        }
        if self.log.level >= 2 {
            self.log.line("returning from callee:");
            let t = crate::log::frame_text(
                &{
                    let mut s = st.clone();
                    s.frames.push(callee.clone());
                    s
                },
                st.frames.len(),
                &self.input.maps,
                None,
            );
            self.log.line(&t);
            let back = if callee.kind == FrameKind::Callback {
                callsite
            } else {
                callsite + 1
            };
            self.log.line(&format!("to caller at {back}:"));
            let t = crate::log::frame_text(st, st.curframe(), &self.input.maps, None);
            self.log.line(&t);
        }
        if callee.kind == FrameKind::Callback {
            return Ok(Next::Goto(callsite));
        }
        Ok(Next::Goto(callsite + 1))
    }
}

/// Linux 6.7's wording for a return value out of range (before `verbose_invalid_scalar`):
/// tnums, and R0 named even for the cookie of a throw. The `legacy` mode's exception checks
/// (the selftests of that release expect `R0 has value (0x40; 0x0) should`).
pub fn legacy_invalid_return(r: &RegState, lo: i32, hi: i32) -> String {
    let tnum = |t: crate::tnum::Tnum| format!("({:#x}; {:#x})", t.value, t.mask);
    let has = if r.var.var_off.is_unknown() {
        "has unknown scalar value".to_string()
    } else {
        format!("has value {}", tnum(r.var.var_off))
    };
    format!(
        "At program exit the register R0 {has} should have been in {}",
        tnum(crate::tnum::Tnum::range(lo as u64, hi as u64))
    )
}

/// `verbose_invalid_scalar`.
pub fn invalid_scalar(r: &RegState, lo: i32, hi: i32, ctx: &str, name: &str) -> String {
    let mut s = format!("{ctx} the register {name} has");
    let mut unknown = true;
    if r.var.smin > i64::MIN {
        s.push_str(&format!(" smin={}", r.var.smin));
        unknown = false;
    }
    if r.var.smax < i64::MAX {
        s.push_str(&format!(" smax={}", r.var.smax));
        unknown = false;
    }
    if unknown {
        s.push_str(" unknown scalar value");
    }
    s.push_str(&format!(" should have been in [{lo}, {hi}]"));
    s
}

/// Linux 6.12's message for a program that leaves with preemption disabled.
pub(super) fn preempt_missing(n: u32) -> String {
    format!(
        "{n} bpf_preempt_enable{} missing",
        if n == 1 { " is" } else { "(s) are" }
    )
}
