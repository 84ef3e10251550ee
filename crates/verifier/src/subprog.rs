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
        self.check_subprog_count()?;
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

    /// `add_subprog`'s limit: main and at most 255 more functions. The kernel meets the
    /// functions in the order of the instructions that call them (or load their address), so
    /// the refusal is at the first instruction that names the 257th, with its message
    /// (`too many subprograms`, E2BIG).
    fn check_subprog_count(&self) -> Result<(), Reject> {
        let prog = self.input.prog;
        let counted = |f: &unwind_program::Function| f.linkage != unwind_program::Linkage::Hidden;
        if prog.functions.iter().filter(|f| counted(f)).count() <= crate::state::MAX_SUBPROGS {
            return Ok(());
        }
        let too_many = |pc: usize| Reject {
            pc,
            msg: "too many subprograms".into(),
        };
        let mut starts = std::collections::HashSet::from([0usize]);
        for (pc, insn) in self.input.insns.iter().enumerate() {
            let Some(insn) = insn else { continue };
            let Some(t) = insn.function_target(pc) else {
                continue;
            };
            if t >= 0 && starts.insert(t as usize) && starts.len() > crate::state::MAX_SUBPROGS {
                return Err(too_many(pc));
            }
        }
        // Functions no instruction names (a declared exception callback): the first beyond
        // the limit, in order.
        let extra = prog
            .functions
            .iter()
            .filter(|f| counted(f))
            .nth(crate::state::MAX_SUBPROGS);
        Err(too_many(extra.map_or(0, |f| f.start)))
    }

    /// `check_max_stack_depth`: the stacks of a call chain together fit in 512 bytes.
    pub fn check_stack_depth(&self) -> Result<(), Reject> {
        fn walk(env: &Env<'_>, sp: usize, depth: usize, frames: usize) -> Result<(), Reject> {
            let own = env.record.facts[sp].stack_depth.max(1).div_ceil(32) * 32;
            let total = depth + own;
            if frames > crate::state::MAX_CALL_FRAMES {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("the call stack of {frames} frames is too deep !"),
                });
            }
            if total > crate::state::MAX_BPF_STACK as usize {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("combined stack size of {frames} calls is {total}. Too large"),
                });
            }
            for &c in &env.record.facts[sp].callees {
                if !env.is_global(c) {
                    walk(env, c, total, frames + 1)?;
                }
            }
            Ok(())
        }
        walk(self, 0, 0, 1)
    }
}
