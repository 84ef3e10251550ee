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

    /// `check_max_stack_depth`: the stacks of a call chain together fit in 512 bytes. As
    /// `check_max_stack_depth_subprog` walks it: from main and from every async callback, into
    /// every function called (static or global: all run on the one stack) and every function
    /// loaded as a synchronous callback (`bpf_pseudo_func`, a call from the loading function);
    /// `frames` counts the functions of the chain (the kernel's `frame + 1`).
    pub fn check_stack_depth(&self) -> Result<(), Reject> {
        fn walk(env: &Env<'_>, sp: usize, depth: usize, frames: usize) -> Result<(), Reject> {
            // A tail call unwinds its own frame but not its callers': with bpf-to-bpf calls
            // their stack is capped at 256 bytes (32 tail calls * 256 = 8K at worst).
            let f = &env.input.prog.functions[sp];
            let has_tail_call = env.input.insns[f.start..f.end]
                .iter()
                .any(|i| matches!(i, Some(Insn::Call(CallTarget::Helper(12)))));
            if sp != 0 && has_tail_call && depth >= 256 {
                return Err(Reject {
                    pc: f.start,
                    msg: format!(
                        "tail_calls are not allowed when call stack of previous frames is {depth} bytes. Too large"
                    ),
                });
            }
            // round_up_stack_depth with a JIT (6.9 on; the x86 JIT is the one modelled):
            // 16-byte granularity (the interpreter's would be 32, and at least 32)
            let own = env.record.facts[sp].stack_depth.div_ceil(16) * 16;
            let total = depth + own;
            if frames > crate::state::MAX_CALL_FRAMES {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("the call stack of {} frames is too deep !", frames - 1),
                });
            }
            if total > crate::state::MAX_BPF_STACK as usize {
                return Err(Reject {
                    pc: env.input.prog.functions[sp].start,
                    msg: format!("combined stack size of {frames} calls is {total}. Too large"),
                });
            }
            // Every call, to static and global functions alike, and every callback whose
            // address is taken (it runs on top of this frame), as the kernel's walk does.
            for c in env.call_graph_edges(sp) {
                walk(env, c, total, frames + 1)?;
            }
            Ok(())
        }
        for root in 0..self.input.prog.functions.len() {
            if root == 0 || self.is_async_cb(root) {
                walk(self, root, 0, 1)?;
            }
        }
        Ok(())
    }

    /// A timer callback or the exception callback (`is_async_cb`): a root of the call-graph
    /// walks, not a frame on top of the function that names it.
    fn is_async_cb(&self, sp: usize) -> bool {
        self.record.facts[sp].is_async_cb || self.input.prog.functions[sp].is_exception_callback
    }

    /// The edges of `check_max_stack_depth_subprog`'s walk out of `sp`, in instruction order:
    /// bpf-to-bpf calls (static and global) and function-address loads, but for the address
    /// of an async callback (walked from its own root).
    fn call_graph_edges(&self, sp: usize) -> Vec<usize> {
        let f = &self.input.prog.functions[sp];
        (f.start..f.end)
            .filter_map(|pc| self.call_graph_edge(pc))
            .collect()
    }

    /// The edge at `pc`, if its instruction is one.
    fn call_graph_edge(&self, pc: usize) -> Option<usize> {
        let insn = self.input.insns[pc]?;
        let address_load = matches!(
            insn,
            Insn::LdImm64 {
                kind: unwind_isa::Imm64Kind::Func,
                ..
            }
        );
        if !address_load && !matches!(insn, Insn::Call(CallTarget::Local(_))) {
            return None;
        }
        let c = usize::try_from(insn.function_target(pc)?).ok()?;
        let c = self.input.prog.function_starting_at(c)?;
        (!(address_load && self.is_async_cb(c))).then_some(c)
    }

    /// `check_max_stack_depth_subprog`'s throw check (Linux 6.7 on): walking the static call
    /// graph from the main program and from each async callback (timer callbacks, the
    /// exception callback), through bpf-to-bpf calls (to static and global functions alike)
    /// and function-address loads (a callback reached where its address is taken), a
    /// `bpf_throw` in a callback or in anything a callback calls is refused: "bpf_throw
    /// kfunc (insn N) cannot be called from callback subprog M", N the throw, M the function
    /// holding it. It runs after every path was verified, as in the kernel; global functions
    /// are verified on their own, so no path sees their throw under the callback's frame.
    pub fn check_throw_in_callbacks(&self) -> Result<(), Reject> {
        // (function, under a callback) pairs already walked without a finding.
        fn walk(
            env: &Env<'_>,
            sp: usize,
            under_cb: bool,
            done: &mut Vec<[bool; 2]>,
        ) -> Result<(), Reject> {
            let f = &env.input.prog.functions[sp];
            let under_cb = under_cb || env.record.facts[sp].is_cb || f.is_exception_callback;
            if std::mem::replace(&mut done[sp][under_cb as usize], true) {
                return Ok(());
            }
            // in instruction order, as the kernel scans: a throw, or an edge to follow
            for pc in f.start..f.end {
                let throws =
                    env.input.insns[pc].is_some_and(|i| unwind_stackmap::is_throw_call(&i));
                if throws && under_cb {
                    return Err(Reject {
                        pc,
                        msg: format!(
                            "bpf_throw kfunc (insn {pc}) cannot be called from callback subprog {sp}"
                        ),
                    });
                }
                if let Some(c) = env.call_graph_edge(pc) {
                    walk(env, c, under_cb, done)?;
                }
            }
            Ok(())
        }
        let n = self.input.prog.functions.len();
        let mut done = vec![[false; 2]; n];
        for root in 0..n {
            if root == 0 || self.is_async_cb(root) {
                walk(self, root, false, &mut done)?;
            }
        }
        self.check_tail_call_in_exception_cb()
    }

    /// The same walk's `tail_call_reachable` marking: a function called (at any depth) from
    /// the exception callback must not tail call ("cannot tail call within exception cb"):
    /// the exception callback runs after the program's frames were unwound.
    fn check_tail_call_in_exception_cb(&self) -> Result<(), Reject> {
        let prog = self.input.prog;
        let Some(root) = prog.functions.iter().position(|f| f.is_exception_callback) else {
            return Ok(());
        };
        let callees = |sp: usize| self.call_graph_edges(sp);
        let mut seen = vec![false; prog.functions.len()];
        let mut stack = callees(root);
        while let Some(sp) = stack.pop() {
            if std::mem::replace(&mut seen[sp], true) {
                continue;
            }
            let f = &prog.functions[sp];
            if let Some(pc) = (f.start..f.end).find(|&pc| {
                matches!(
                    self.input.insns[pc],
                    Some(Insn::Call(CallTarget::Helper(12)))
                )
            }) {
                return Err(Reject {
                    pc,
                    msg: "cannot tail call within exception cb".into(),
                });
            }
            stack.extend(callees(sp));
        }
        Ok(())
    }
}
