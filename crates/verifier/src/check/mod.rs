//! The main loop (`do_check`): path-sensitive exploration of one function's paths with a work
//! stack of branch states, dispatching each instruction to its checker.

mod alu;
mod call;
mod exception;
mod exit;
mod jmp;
mod mem;

use unwind_isa::{Insn, Slot};
use unwind_kernel::ProgType;
use unwind_program::{Linkage, Program};

use crate::log::{frame_text, Log, MapInfo};
use crate::prune::Explored;
use crate::state::{FrameKind, FuncState, RegState, VerifierState};
use crate::Options;

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
    /// Static functions called from here (subprogram indices).
    pub callees: Vec<usize>,
}

pub struct Env<'a> {
    pub prog: &'a Program,
    pub insns: Vec<Option<Insn>>,
    pub prog_type: ProgType,
    pub opts: &'a Options,
    pub log: Log,
    pub maps: MapInfo,
    pub id_gen: u32,
    pub insn_processed: u64,
    pub explored: Explored,
    pub prune_point: Vec<bool>,
    /// Instructions that call a callback (`bpf_loop`): forced checkpoints where a state of the
    /// current path that subsumes the new one ends the iterations (`calls_callback`).
    pub calls_callback: Vec<bool>,
    pub facts: Vec<FuncFacts>,
    /// Printed states per pc (a few each), for the page.
    pub pc_states: Vec<Vec<String>>,
    /// Visits of each pc while states were recorded.
    pc_visits: Vec<u8>,
    pub max_states_per_insn: usize,
    pub total_states: usize,
    pub peak_states: usize,
    stack: Vec<Branch>,
    pub cur_pc: usize,
    pub prev_pc: usize,
    frame_depth_hint: usize,
    pub cur_parent: Option<usize>,
    /// Per function: it might throw (the pre-pass over the call graph, computed once).
    pub might_throw: Vec<bool>,
    /// Frame descriptors merged so far (cleanup modes).
    pub descs: unwind_stackmap::DescTable,
    /// cleanup-v2's passes (see `crate::rewrite`).
    pub v2: V2Pass,
}

/// What a cleanup-v2 pass is given and what it learns.
#[derive(Clone, Debug, Default)]
pub struct V2Pass {
    /// Per function, the offsets of its dedicated slots: visited first when a descriptor is
    /// generated, so that the copy there is the one released and the others are copies.
    pub dedicated: Vec<Vec<i16>>,
    /// Record merge failures and carry on instead of rejecting.
    pub collect: bool,
    /// The acquiring pcs of the resources on either side of a failed merge.
    pub conflict_sites: std::collections::BTreeSet<usize>,
    /// (release call pc, acquiring pc) for every release seen in the acquiring function.
    pub releases: std::collections::BTreeSet<(usize, usize)>,
    /// The rewrite's `if r0 != rN` before a release shared by several sites: there, two
    /// referenced pointers are known equal when they own the same reference and unequal when
    /// they own different ones (distinct live objects have distinct addresses). Only at these
    /// pcs: the kernel's `is_branch_taken` does not decide pointer comparisons.
    pub identity_pcs: std::collections::HashSet<usize>,
}

impl<'a> Env<'a> {
    pub fn new(prog: &'a Program, opts: &'a Options) -> Env<'a> {
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
            prog,
            insns,
            prog_type: prog.prog_type.unwrap_or(ProgType::SocketFilter),
            opts,
            log: Log::new(opts.log_level),
            maps,
            id_gen: 0,
            insn_processed: 0,
            explored: Explored::default(),
            prune_point: vec![false; n],
            calls_callback: vec![false; n],
            facts: vec![FuncFacts::default(); prog.functions.len()],
            pc_states: vec![Vec::new(); n],
            pc_visits: vec![0; n],
            max_states_per_insn: 0,
            total_states: 0,
            peak_states: 0,
            stack: Vec::new(),
            cur_pc: 0,
            prev_pc: 0,
            frame_depth_hint: 0,
            cur_parent: None,
            might_throw: unwind_stackmap::throw_facts(prog).might_throw,
            descs: unwind_stackmap::DescTable::default(),
            v2: V2Pass::default(),
        }
    }

    pub fn reject<T>(&self, msg: impl Into<String>) -> R<T> {
        Err(Reject {
            pc: self.cur_pc,
            msg: msg.into(),
        })
    }

    pub fn new_id(&mut self) -> u32 {
        self.id_gen += 1;
        self.id_gen
    }

    pub fn subprog_starting_at(&self, pc: usize) -> Option<usize> {
        self.prog.functions.iter().position(|f| f.start == pc)
    }

    pub fn is_global(&self, subprog: usize) -> bool {
        self.prog.functions[subprog].linkage == Linkage::Global
    }

    /// `push_stack`: queue the other side of a branch.
    pub fn push_branch(&mut self, st: VerifierState, pc: usize, prev: usize) -> R<()> {
        if self.stack.len() >= JMP_SEQ_LIMIT {
            return self.reject(format!(
                "The sequence of {} jumps is too complex.",
                self.stack.len()
            ));
        }
        self.fork_parent();
        self.stack.push(Branch {
            parent: self.cur_parent,
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
        let func = &self.prog.functions[subprog];
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
                frame_text(&st, st.curframe(), &self.maps, None)
            ));
        }
        print_state = !print_state;
        loop {
            self.cur_pc = pc;
            self.prev_pc = prev;
            if pc >= self.insns.len() {
                return self.reject(format!(
                    "invalid insn idx {pc} insn_cnt {}",
                    self.insns.len()
                ));
            }
            self.insn_processed += 1;
            if self.insn_processed > COMPLEXITY_LIMIT {
                return self.reject(format!(
                    "BPF program is too large. Processed {} insn",
                    self.insn_processed
                ));
            }
            let mut pruned = false;
            if self.prune_point[pc] {
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
                let text = frame_text(&st, st.curframe(), &self.maps, None);
                if prev != pc {
                    self.log.line(&format!("from {prev} to {pc}:{text}"));
                } else {
                    self.log.line(&format!("{pc}:{text}"));
                }
                self.log.clean();
            }
            print_state = false;
            let Some(insn) = self.insns[pc] else {
                return self.reject("invalid BPF_LD_IMM insn");
            };
            // a few states per pc, from the first visits only (formatting is not free)
            if self.opts.record_states && self.pc_states[pc].len() < 4 && self.pc_visits[pc] < 16 {
                self.pc_visits[pc] += 1;
                let t = frame_text(&st, st.curframe(), &self.maps, None);
                if !self.pc_states[pc].contains(&t) {
                    self.pc_states[pc].push(t);
                }
            }
            if self.log.on() {
                let text = unwind_program::disasm::format_insn(
                    self.prog,
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
            self.log.insn_state(pc, &st, &self.maps);
            match next {
                Next::Goto(n) => {
                    prev = pc;
                    if n != pc + insn.slots() {
                        print_state = self.log.level >= 2;
                    }
                    pc = n;
                    let frames_changed = st.curframe() != self.frame_depth_hint;
                    if frames_changed {
                        self.frame_depth_hint = st.curframe();
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
        let b = self.stack.pop()?;
        self.cur_parent = b.parent;
        if self.log.level == 1 {
            self.log.reset(b.log_pos);
        }
        self.log.clean();
        self.frame_depth_hint = b.st.curframe();
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
            self.explored.jmps += 1;
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
                self.check_ld_abs(st, size, None)?;
                Ok(Next::Goto(fall))
            }
            Insn::LdInd { size, src, .. } => {
                self.check_ld_abs(st, size, Some(src.index()))?;
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
                // may_goto: either path; the jump is taken once the budget runs out
                let t = insn.jump_target(pc).unwrap_or(0) as usize;
                self.push_branch(st.clone(), t, pc)?;
                Ok(Next::Goto(fall))
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
            self.facts[sp].callee_saved[(r - 6) as usize] = true;
        }
        *st.reg_mut(r) = v;
    }
}
