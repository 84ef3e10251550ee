//! The pass's state (`Env`, grouped by concern) and the main loop (`do_check`): path-sensitive
//! exploration of one function's paths with a work stack of branch states, dispatching each
//! instruction to its checker.

mod alu;
mod call;
mod exception;
mod exit;
mod jmp;
mod mem;
mod pass;

pub(crate) use pass::verify_pass;

use unwind_isa::{Insn, Slot};
use unwind_kernel::ProgType;
use unwind_program::{Linkage, Program};

use crate::log::{frame_text, Log, MapInfo};
use crate::prune::Explored;
use crate::state::{FrameKind, FuncState, RegState, VerifierState};
use crate::{cleanup_v2, Options, Progress, Stats, PROGRESS_STRIDE};

/// The instruction budget (`BPF_COMPLEXITY_LIMIT_INSNS`).
pub const COMPLEXITY_LIMIT: u64 = 1_000_000;
/// Pending branches allowed at once (`BPF_COMPLEXITY_LIMIT_JMP_SEQ`).
pub const JMP_SEQ_LIMIT: usize = 8192;

/// A rejection: the pc and the kernel's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{msg}")]
pub struct Reject {
    pub pc: usize,
    pub msg: String,
}

pub type R<T> = Result<T, Reject>;

/// What happens after one instruction.
pub enum Next {
    /// Continue at this pc.
    Goto(usize),
    /// This path is finished (exit of the root frame, or a throw).
    Done,
}

struct Branch {
    parent: Option<usize>,
    st: VerifierState,
    pc: usize,
    prev: usize,
    log_pos: usize,
}

/// Per-function facts gathered while verifying.
#[derive(Clone, Debug, Default)]
pub struct FuncFacts {
    pub stack_depth: usize,
    pub callee_saved: [bool; 4],
    /// Functions called (static or global) or loaded as callbacks here (subprogram indices).
    pub callees: Vec<usize>,
    /// It was verified as a callback (`subprog_info.is_cb`, set by `push_callback_call`).
    pub is_cb: bool,
    /// ... as an async one (a timer callback: `is_async_cb`).
    pub is_async_cb: bool,
}

/// One verification pass, by concern: what is checked, the paths being explored, the counts
/// the summary prints, what the verdict reports, and cleanup-v2's pass.
pub(crate) struct Env<'a> {
    pub(crate) input: Input<'a>,
    /// The kernel-format log, written by every check.
    log: Log,
    pub(crate) paths: Paths,
    /// The summary line's and the verdict's counts (`insn_processed`, the states).
    pub(crate) stats: Stats,
    pub(crate) record: Record,
    /// What cleanup-v2's driver gives this pass and learns from it (ordinary passes: none).
    v2: cleanup_v2::Pass,
    /// The instruction budget and the host's observer.
    watch: Watch<'a>,
}

/// The host's observer, if any (`verify_with`).
pub(crate) type Observer<'o> = Option<&'o mut dyn FnMut(Progress) -> std::ops::ControlFlow<()>>;

/// The instruction budget and the observer: `do_check` compares the count of processed
/// instructions with `next` (one comparison, as the limit alone took) and calls
/// [`Env::checkpoint`] there, which rejects over the budget or reports progress.
pub(crate) struct Watch<'o> {
    observer: Observer<'o>,
    /// At most [`COMPLEXITY_LIMIT`].
    budget: u64,
    /// The count at which `checkpoint` runs next: the budget's end, or the next stride.
    next: u64,
    /// The observer stopped the pass.
    pub(crate) cancelled: bool,
}

impl<'o> Watch<'o> {
    fn new(budget: u64, observer: Observer<'o>) -> Watch<'o> {
        let budget = budget.min(COMPLEXITY_LIMIT);
        let mut w = Watch {
            observer,
            budget,
            next: 0,
            cancelled: false,
        };
        w.next = w.after(0);
        w
    }

    /// Where to check again after `n` processed instructions.
    fn after(&self, n: u64) -> u64 {
        let over = self.budget + 1;
        match self.observer {
            Some(_) => over.min(n + PROGRESS_STRIDE),
            None => over,
        }
    }

    pub(crate) fn budget(&self) -> u64 {
        self.budget
    }
}

/// The program and options being checked, and what is derived from them before any path.
pub(crate) struct Input<'a> {
    pub(crate) prog: &'a Program,
    /// Per pc, its instruction (`None` for the second slot of an `ld_imm64` or a bad one).
    pub(crate) insns: Vec<Option<Insn>>,
    prog_type: ProgType,
    pub(crate) opts: &'a Options,
    /// The maps' names and sizes, for the log.
    maps: MapInfo,
    /// Per function: it might throw (the pre-pass over the call graph, computed once).
    might_throw: Vec<bool>,
    /// Per function: it holds an `LD_ABS`/`LD_IND` or a `bpf_tail_call`, so it may return
    /// before its exit (`has_ld_abs`, `has_tail_call`).
    abnormal_return: Vec<bool>,
}

/// The exploration: the path being checked, the ones pending, the checkpoints stored.
pub(crate) struct Paths {
    /// The other sides of branches, to check once the current path ends (`push_stack`).
    pending: Vec<Branch>,
    pub(crate) explored: Explored,
    /// The checkpoint the current path descends from (`parent` in the kernel's states).
    pub(crate) cur_parent: Option<usize>,
    /// The instruction being checked: where a rejection is reported.
    cur_pc: usize,
    frame_depth_hint: usize,
    /// The last id handed out to a pointer or reference.
    id_gen: u32,
    /// Where states are compared and stored.
    pub(crate) prune_point: Vec<bool>,
    /// Instructions that call a callback (`bpf_loop`): forced checkpoints where a state of the
    /// current path that subsumes the new one ends the iterations (`calls_callback`).
    pub(crate) calls_callback: Vec<bool>,
}

/// What is recorded for the verdict besides the log and the counts.
pub(crate) struct Record {
    pub(crate) facts: Vec<FuncFacts>,
    /// Printed states per pc (a few each), for the page, each with the pcs its paths came
    /// from (empty at the entry).
    pc_states: Vec<Vec<(String, Vec<usize>)>>,
    /// Visits of each pc while states were recorded.
    pc_visits: Vec<u8>,
    /// Frame descriptors merged so far (cleanup modes).
    descs: unwind_stackmap::DescTable,
}

impl Record {
    /// Keeps a few states at `pc`, from its first visits only (formatting is not free), and
    /// where each came from: `from` is the instruction before `pc` on the path (none at the
    /// entry). Paths that arrive in the same state are one entry with all their origins.
    fn note_state(&mut self, pc: usize, from: Option<usize>, text: impl FnOnce() -> String) {
        if self.pc_states[pc].len() < 4 && self.pc_visits[pc] < 16 {
            self.pc_visits[pc] += 1;
            let t = text();
            let states = &mut self.pc_states[pc];
            let at = match states.iter().position(|(s, _)| *s == t) {
                Some(at) => at,
                None => {
                    states.push((t, Vec::new()));
                    states.len() - 1
                }
            };
            let origins = &mut states[at].1;
            if let Some(from) = from.filter(|f| !origins.contains(f)) {
                origins.push(from);
            }
        }
    }
}

impl<'a> Env<'a> {
    fn new(
        prog: &'a Program,
        opts: &'a Options,
        v2: cleanup_v2::Pass,
        observer: Observer<'a>,
    ) -> Env<'a> {
        let insns = prog
            .decode()
            .into_iter()
            .map(|s| match s {
                Slot::Insn(i) => Some(i),
                _ => None,
            })
            .collect::<Vec<_>>();
        let maps = prog
            .maps
            .iter()
            .map(|m| (m.name.clone(), m.key_size, m.value_size))
            .collect();
        let n = insns.len();
        Env {
            input: Input {
                prog,
                prog_type: crate::runnable::prog_type_of(prog),
                opts,
                maps,
                might_throw: unwind_stackmap::throw_facts(prog).might_throw,
                abnormal_return: prog
                    .functions
                    .iter()
                    .map(|f| {
                        insns[f.start.min(n)..f.end.min(n)].iter().any(|i| {
                            matches!(
                                i,
                                Some(
                                    Insn::LdAbs { .. }
                                        | Insn::LdInd { .. }
                                        | Insn::Call(unwind_isa::CallTarget::Helper(12))
                                )
                            )
                        })
                    })
                    .collect(),
                insns,
            },
            log: Log::new(opts.log_level),
            paths: Paths {
                pending: Vec::new(),
                explored: Explored::default(),
                cur_parent: None,
                cur_pc: 0,
                frame_depth_hint: 0,
                id_gen: 0,
                prune_point: vec![false; n],
                calls_callback: vec![false; n],
            },
            stats: Stats::default(),
            record: Record {
                facts: vec![FuncFacts::default(); prog.functions.len()],
                pc_states: vec![Vec::new(); n],
                pc_visits: vec![0; n],
                descs: unwind_stackmap::DescTable::default(),
            },
            v2,
            watch: Watch::new(opts.budget, observer),
        }
    }

    /// At the budget's end: the kernel's rejection; at a stride: the observer, which may
    /// stop the pass (`cancelled`, unwound as a rejection that the verdict never shows).
    #[cold]
    #[inline(never)]
    fn checkpoint(&mut self) -> R<()> {
        let n = self.stats.insns_processed;
        if n > self.watch.budget {
            return self.reject(format!("BPF program is too large. Processed {n} insn"));
        }
        if let Some(observer) = &mut self.watch.observer {
            let progress = Progress {
                insns_processed: n,
                total_states: self.stats.total_states,
                pc: self.paths.cur_pc,
            };
            if observer(progress).is_break() {
                self.watch.cancelled = true;
                return self.reject("cancelled");
            }
        }
        self.watch.next = self.watch.after(n);
        Ok(())
    }

    pub fn reject<T>(&self, msg: impl Into<String>) -> R<T> {
        Err(Reject {
            pc: self.paths.cur_pc,
            msg: msg.into(),
        })
    }

    pub fn new_id(&mut self) -> u32 {
        self.paths.id_gen += 1;
        self.paths.id_gen
    }

    pub fn subprog_starting_at(&self, pc: usize) -> Option<usize> {
        self.input.prog.functions.iter().position(|f| f.start == pc)
    }

    pub fn is_global(&self, subprog: usize) -> bool {
        self.input.prog.functions[subprog].linkage == Linkage::Global
    }

    /// `push_stack`: queue the other side of a branch.
    pub fn push_branch(&mut self, st: VerifierState, pc: usize, prev: usize) -> R<()> {
        if self.paths.pending.len() >= JMP_SEQ_LIMIT {
            return self.reject(format!(
                "The sequence of {} jumps is too complex.",
                self.paths.pending.len()
            ));
        }
        self.fork_parent();
        self.paths.pending.push(Branch {
            parent: self.paths.cur_parent,
            st,
            pc,
            prev,
            log_pos: self.log.pos(),
        });
        Ok(())
    }

    /// The initial state of a root function: R1 from its arguments, R10 the frame pointer.
    pub fn initial_state(&mut self, subprog: usize) -> VerifierState {
        let mut f = FuncState::new(0, 0, subprog, FrameKind::Root);
        let func = &self.input.prog.functions[subprog];
        if func.linkage == Linkage::Global {
            for (i, a) in func.args.clone().iter().enumerate().take(5) {
                let r = match a {
                    unwind_program::GlobalArg::Scalar => RegState::unknown(),
                    unwind_program::GlobalArg::Ctx => RegState::ptr(crate::state::PtrKind::Ctx),
                    unwind_program::GlobalArg::Mem(n) => {
                        let id = self.new_id();
                        RegState {
                            maybe_null: true,
                            id,
                            mem_size: *n,
                            ..RegState::ptr(crate::state::PtrKind::Mem)
                        }
                    }
                };
                f.regs[i + 1] = r;
            }
        } else if func.is_exception_callback {
            f.regs[1] = RegState::unknown();
        } else {
            f.regs[1] = RegState::ptr(crate::state::PtrKind::Ctx);
        }
        VerifierState {
            frames: vec![f],
            refs: Vec::new(),
            active_lock: None,
            active_rcu: 0,
            active_preempt: 0,
            irq_flags: Vec::new(),
            callback_unroll_depth: 0,
            may_goto_depth: 0,
        }
    }

    /// `do_check`: explore every path from `st` at `pc`.
    pub fn do_check(&mut self, st: VerifierState, pc: usize) -> R<()> {
        let mut st = st;
        let mut pc = pc;
        let mut prev = pc;
        let mut print_state = true;
        if self.log.on() {
            self.log.line(&format!(
                "{pc}:{}",
                frame_text(&st, st.curframe(), &self.input.maps, None)
            ));
        }
        print_state = !print_state;
        loop {
            self.paths.cur_pc = pc;
            if pc >= self.input.insns.len() {
                return self.reject(format!(
                    "invalid insn idx {pc} insn_cnt {}",
                    self.input.insns.len()
                ));
            }
            self.stats.insns_processed += 1;
            if self.stats.insns_processed >= self.watch.next {
                self.checkpoint()?;
            }
            let mut pruned = false;
            if self.paths.prune_point[pc] {
                pruned = self.is_state_visited(&mut st, pc)?;
            }
            if pruned {
                if self.log.level >= 2 {
                    if print_state {
                        self.log.line(&format!("from {prev} to {pc}: safe"));
                    } else {
                        self.log.line(&format!("{pc}: safe"));
                    }
                }
                match self.pop_branch() {
                    Some(b) => {
                        st = b.st;
                        pc = b.pc;
                        prev = b.prev;
                        print_state = true;
                        continue;
                    }
                    None => return Ok(()),
                }
            }
            if self.log.level >= 2 && print_state {
                let text = frame_text(&st, st.curframe(), &self.input.maps, None);
                if prev != pc {
                    self.log.line(&format!("from {prev} to {pc}:{text}"));
                } else {
                    self.log.line(&format!("{pc}:{text}"));
                }
                self.log.clean();
            }
            print_state = false;
            let Some(insn) = self.input.insns[pc] else {
                return self.reject("invalid BPF_LD_IMM insn");
            };
            if self.input.opts.record_states {
                let maps = &self.input.maps;
                // `prev == pc` only before the first instruction (a jump to itself never verifies).
                let from = (prev != pc).then_some(prev);
                self.record
                    .note_state(pc, from, || frame_text(&st, st.curframe(), maps, None));
            }
            if self.log.on() {
                self.log.source_line(self.input.prog, pc);
                let text = unwind_program::disasm::format_insn(
                    self.input.prog,
                    pc,
                    unwind_program::disasm::Style::Log,
                );
                let text = text
                    .split_once(": ")
                    .map(|(_, t)| t.to_string())
                    .unwrap_or(text);
                self.log.insn(pc, &text);
            }
            let next = self.step(&mut st, pc, &insn)?;
            self.log.insn_state(pc, &st, &self.input.maps);
            match next {
                Next::Goto(n) => {
                    prev = pc;
                    if n != pc + insn.slots() {
                        print_state = self.log.level >= 2;
                    }
                    pc = n;
                    let frames_changed = st.curframe() != self.paths.frame_depth_hint;
                    if frames_changed {
                        self.paths.frame_depth_hint = st.curframe();
                        print_state = false;
                    }
                }
                Next::Done => match self.pop_branch() {
                    Some(b) => {
                        st = b.st;
                        pc = b.pc;
                        prev = b.prev;
                        print_state = true;
                    }
                    None => return Ok(()),
                },
            }
        }
    }

    fn pop_branch(&mut self) -> Option<Branch> {
        self.finish_path();
        let b = self.paths.pending.pop()?;
        self.paths.cur_parent = b.parent;
        if self.log.level == 1 {
            self.log.reset(b.log_pos);
        }
        self.log.clean();
        self.paths.frame_depth_hint = b.st.curframe();
        Some(b)
    }

    /// One instruction.
    fn step(&mut self, st: &mut VerifierState, pc: usize, insn: &Insn) -> R<Next> {
        let fall = pc + insn.slots();
        // `jmps_processed`: every instruction of the JMP and JMP32 classes
        if matches!(
            insn,
            Insn::Ja { .. }
                | Insn::Gotol { .. }
                | Insn::MayGoto { .. }
                | Insn::Jump { .. }
                | Insn::Call(_)
                | Insn::Callx { .. }
                | Insn::Exit
        ) {
            self.paths.explored.jmps += 1;
        }
        match *insn {
            Insn::Alu { .. }
            | Insn::Neg { .. }
            | Insn::MovSx { .. }
            | Insn::Endian { .. }
            | Insn::AddrSpaceCast { .. } => {
                self.check_alu(st, insn)?;
                Ok(Next::Goto(fall))
            }
            Insn::LdImm64 { dst, kind, imm } => {
                self.check_ld_imm64(st, dst.index(), kind, imm, pc)?;
                Ok(Next::Goto(fall))
            }
            Insn::LdAbs { size, .. } => {
                self.check_ld_abs(st, size, None, pc)?;
                Ok(Next::Goto(fall))
            }
            Insn::LdInd { size, src, .. } => {
                self.check_ld_abs(st, size, Some(src.index()), pc)?;
                Ok(Next::Goto(fall))
            }
            Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            } => {
                self.check_load(st, size, signed, dst.index(), src.index(), off)?;
                Ok(Next::Goto(fall))
            }
            Insn::StoreImm {
                size,
                dst,
                off,
                imm,
                ..
            } => {
                self.check_store(st, size, dst.index(), off, None, Some(imm))?;
                Ok(Next::Goto(fall))
            }
            Insn::StoreReg {
                size,
                dst,
                off,
                src,
                ..
            } => {
                self.check_store(st, size, dst.index(), off, Some(src.index()), None)?;
                Ok(Next::Goto(fall))
            }
            Insn::Atomic {
                size,
                op,
                fetch,
                dst,
                off,
                src,
            } => {
                self.check_atomic(st, size, op, fetch, dst.index(), off, src.index())?;
                Ok(Next::Goto(fall))
            }
            Insn::Ja { .. } | Insn::Gotol { .. } => {
                Ok(Next::Goto(insn.jump_target(pc).unwrap_or(0) as usize))
            }
            Insn::MayGoto { .. } => {
                // `check_cond_jmp_op` for may_goto: this path takes the jump (the budget ran
                // out); the fall-through is queued one may_goto deeper.
                let t = insn.jump_target(pc).unwrap_or(0) as usize;
                let mut queued = st.clone();
                queued.may_goto_depth += 1;
                self.push_branch(queued, fall, pc)?;
                Ok(Next::Goto(t))
            }
            Insn::Jump {
                width,
                op,
                dst,
                src,
                ..
            } => {
                let t = insn.jump_target(pc).unwrap_or(0) as usize;
                self.check_cond_jmp(st, width, op, dst.index(), src, pc, t)
            }
            Insn::Call(target) => self.check_call(st, target, pc),
            Insn::Callx { .. } => self.reject("callx is not supported by the kernel verifier"),
            Insn::Exit => self.check_exit(st, pc),
        }
    }

    /// Reads a register as an operand (`check_reg_arg(.., SRC_OP)`).
    pub fn read_reg(&mut self, st: &VerifierState, r: u8) -> R<RegState> {
        self.log.scratch_reg(r);
        let reg = *st.reg(r);
        if !reg.is_init() {
            return self.reject(format!("R{r} !read_ok"));
        }
        Ok(reg)
    }

    /// Checks a register may be written (`check_reg_arg(.., DST_OP)`).
    pub fn check_dst(&mut self, r: u8) -> R<()> {
        self.log.scratch_reg(r);
        if r == 10 {
            return self.reject("frame pointer is read only");
        }
        Ok(())
    }

    pub fn set_reg(&mut self, st: &mut VerifierState, r: u8, mut v: RegState) {
        v.written = true;
        self.log.scratch_reg(r);
        if (6..=9).contains(&r) {
            let sp = st.cur().subprog;
            self.record.facts[sp].callee_saved[(r - 6) as usize] = true;
        }
        *st.reg_mut(r) = v;
    }
}
