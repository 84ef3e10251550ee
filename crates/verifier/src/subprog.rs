//! The checks before abstract interpretation (`check_subprogs`, `check_cfg`): jumps stay
//! inside their function and the program, every function ends in `exit` or a jump, every
//! instruction is reachable; and the prune points the main loop checkpoints at.

use unwind_isa::{CallTarget, Insn};

use crate::check::{Env, Reject};

impl Env<'_> {
    pub fn check_cfg(&mut self) -> Result<(), Reject> {
        let n = self.input.insns.len();
        let err = |pc: usize, msg: String| Reject { pc, msg };
        if n == 0 {
            return Err(err(0, "last insn is not an exit or jmp".into()));
        }
        // a slot that does not decode, other than the tail of an ld_imm64
        let decoded = self.input.prog.decode();
        for (pc, s) in decoded.iter().enumerate() {
            if let unwind_isa::Slot::Invalid(_) = s {
                return Err(err(
                    pc,
                    format!("unknown opcode {:02x}", self.input.prog.slots[pc].code),
                ));
            }
        }
        for f in &self.input.prog.functions {
            // the last instruction of each function (the tail of an ld_imm64 counts as one)
            let last = f.end - 1;
            let ok = matches!(
                self.input.insns[last],
                Some(Insn::Exit | Insn::Ja { .. } | Insn::Gotol { .. })
            );
            if !ok {
                return Err(err(last, "last insn is not an exit or jmp".into()));
            }
            for pc in f.start..f.end {
                let Some(insn) = self.input.insns[pc] else {
                    continue;
                };
                if let Some(t) = insn.jump_target(pc) {
                    if t < f.start as i64 || t >= f.end as i64 {
                        return Err(err(pc, format!("jump out of range from insn {pc} to {t}")));
                    }
                }
                if let Insn::Call(CallTarget::Local(_)) = insn {
                    let t = insn.function_target(pc).unwrap_or(-1);
                    if t < 0 || t >= n as i64 {
                        return Err(err(pc, format!("call to invalid destination {t}")));
                    }
                }
            }
        }
        // reachability and prune points
        // The exception callback is an entry point of its own, walked with what it calls
        // (b62bf8a5e911 "bpf: Perform CFG walk for exception callback").
        let mut seen = vec![false; n];
        let mut work: Vec<usize> = self
            .input
            .prog
            .functions
            .iter()
            .filter(|f| f.is_exception_callback)
            .map(|f| f.start)
            .chain([0])
            .collect();
        while let Some(pc) = work.pop() {
            if pc >= n || seen[pc] {
                continue;
            }
            seen[pc] = true;
            let Some(insn) = self.input.insns[pc] else {
                continue;
            };
            if insn.slots() == 2 && pc + 1 < n {
                seen[pc + 1] = true;
            }
            let fall = pc + insn.slots();
            match insn {
                Insn::Exit => {}
                Insn::Ja { .. } | Insn::Gotol { .. } => {
                    let t = insn.jump_target(pc).unwrap_or(0) as usize;
                    self.paths.prune_point[t] = true;
                    work.push(t);
                }
                Insn::Jump { .. } | Insn::MayGoto { .. } => {
                    let t = insn.jump_target(pc).unwrap_or(0) as usize;
                    self.paths.prune_point[t] = true;
                    if matches!(insn, Insn::MayGoto { .. }) {
                        // `mark_force_checkpoint`: a may_goto loop converges at its may_goto
                        self.paths.prune_point[pc] = true;
                    }
                    if fall < n {
                        self.paths.prune_point[fall] = true;
                    }
                    work.push(t);
                    work.push(fall);
                }
                Insn::Call(CallTarget::Local(_)) => {
                    let t = insn.function_target(pc).unwrap_or(0) as usize;
                    work.push(t);
                    if fall < n {
                        self.paths.prune_point[fall] = true;
                    }
                    work.push(fall);
                }
                Insn::Call(_) => {
                    if fall < n {
                        self.paths.prune_point[fall] = true;
                    }
                    work.push(fall);
                }
                Insn::LdImm64 { .. } => {
                    if let Some(t) = insn.function_target(pc) {
                        work.push(t as usize);
                    }
                    work.push(fall);
                }
                _ => work.push(fall),
            }
        }
        if let Some(pc) = seen.iter().position(|s| !s) {
            return Err(err(pc, format!("unreachable insn {pc}")));
        }
        Ok(())
    }

    /// `check_max_stack_depth`: the stacks of a call chain together fit in 512 bytes. As
    /// `check_max_stack_depth_subprog` walks it: from main and from every async callback, into
    /// every function called (static or global: all run on the one stack) and every function
    /// loaded as a synchronous callback (`bpf_pseudo_func`, a call from the loading function);
    /// `frames` counts the functions of the chain (the kernel's `frame + 1`).
    pub fn check_stack_depth(&self) -> Result<(), Reject> {
        fn walk(
            env: &Env<'_>,
            sp: usize,
            depth: usize,
            frames: usize,
            in_cb: bool,
        ) -> Result<(), Reject> {
            if frames > crate::state::MAX_CALL_FRAMES {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("the call stack of {} frames is too deep !", frames - 1),
                });
            }
            let own = env.record.facts[sp].stack_depth.max(1).div_ceil(32) * 32;
            let total = depth + own;
            if total > crate::state::MAX_BPF_STACK as usize {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("combined stack size of {frames} calls is {total}. Too large"),
                });
            }
            // A bpf_throw in a callback, or in a function called from one, cannot unwind
            // through the kernel code that called the callback: the walk refuses it wherever
            // it is in the function, naming the function that holds it (`idx`).
            let func = &env.input.prog.functions[sp];
            let in_cb = in_cb || env.record.facts[sp].is_cb || func.is_exception_callback;
            if in_cb {
                let insns = env.input.insns.get(func.start..func.end).unwrap_or(&[]);
                for (i, insn) in insns.iter().enumerate() {
                    if insn.as_ref().is_some_and(unwind_stackmap::is_throw_call) {
                        let pc = func.start + i;
                        return Err(Reject {
                            pc,
                            msg: format!(
                                "bpf_throw kfunc (insn {pc}) cannot be called from callback subprog {sp}"
                            ),
                        });
                    }
                }
            }
            for &c in &env.record.facts[sp].callees {
                // async callbacks don't increase the program's stack size
                if !env.record.facts[c].is_async_cb {
                    walk(env, c, total, frames + 1, in_cb)?;
                }
            }
            Ok(())
        }
        walk(self, 0, 0, 1, false)?;
        for sp in 1..self.record.facts.len() {
            let f = &self.input.prog.functions[sp];
            if self.record.facts[sp].is_async_cb || f.is_exception_callback {
                walk(self, sp, 0, 1, false)?;
            }
        }
        Ok(())
    }
}
