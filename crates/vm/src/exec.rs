//! The execution loop: one pass over pre-decoded instructions (nothing is allocated per
//! instruction), shared by the fast path and the debugger (which runs it in chunks between
//! checkpoints, with `Break` ops at its breakpoints). What the arithmetic and the jump
//! conditions compute is [`unwind_isa::semantics`], shared with the verifier; the rarer
//! instructions (atomics, calls, exits, legacy packet loads, map loads, may_goto) leave the
//! loop for `Machine::slow`.

use std::ops::ControlFlow;

use unwind_isa::semantics::{alu, endian, jump_taken, movsx, neg, sign_extend};
use unwind_isa::{AluOp, Endian, JmpOp, Width};

use crate::decode::{Op, K};
use crate::fault::FaultKind;
use crate::frames::FrameKind;
use crate::machine::{frame_must_fit, Machine, Status, CODE_REGION, MAP_REGION_BASE};
use crate::memory::{addr, offset_of, region_of};

/// Why the loop returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The program exited or faulted (see the status).
    Ended,
    /// The next instruction has a breakpoint.
    Breakpoint,
    /// The requested number of instructions ran.
    Steps,
    /// The observer stopped the run (the machine is still running).
    Cancelled,
}

/// How often a run reports to its observer: every this many executed instructions, when
/// the count since the start ([`Machine::insns`]) reaches a multiple of it.
pub const PROGRESS_STRIDE: u64 = 65_536;

/// What a run's observer is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Instructions executed since the start (or the last reset).
    pub executed: u64,
    /// The next instruction to execute.
    pub pc: usize,
}

/// A run's observer: `Break` stops the run where it is.
pub type Observer<'a> = &'a mut dyn FnMut(Progress) -> ControlFlow<()>;

impl Machine {
    /// Runs to the end (exit, fault or budget) on the fast path.
    pub fn run(&mut self) {
        self.run_loop(u64::MAX, None);
    }

    /// [`Machine::run`], calling `observer` every [`PROGRESS_STRIDE`] executed instructions.
    /// `Break` from it stops the run there, the machine still running (a later `run`
    /// continues it); the result is the observer's last answer.
    pub fn run_with(&mut self, observer: Observer) -> ControlFlow<()> {
        match self.run_observed(None, Some(observer)) {
            Stop::Cancelled => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }

    /// `run_loop` to the end or a breakpoint, in strides of [`PROGRESS_STRIDE`] instructions
    /// between which `observer` is called (the loop itself is unchanged: it stops at the
    /// stride's end as at any step count). Without an observer, one call of the loop.
    pub(crate) fn run_observed(
        &mut self,
        breaks: Option<&[Op]>,
        observer: Option<Observer>,
    ) -> Stop {
        let Some(observer) = observer else {
            return self.run_loop(u64::MAX, breaks);
        };
        let mut first = true;
        loop {
            // `run_loop` does not stop at the breakpoint where it starts: after the first
            // stride that check is this one. The observer is asked only where no
            // breakpoint is, so that continuing a cancelled run misses none.
            if !first {
                if breaks.is_some_and(|ops| ops[self.pc].kind == K::Break) {
                    return Stop::Breakpoint;
                }
                let progress = Progress {
                    executed: self.insns,
                    pc: self.pc,
                };
                if observer(progress).is_break() {
                    return Stop::Cancelled;
                }
            }
            first = false;
            let steps = PROGRESS_STRIDE - self.insns % PROGRESS_STRIDE;
            match self.run_loop(steps, breaks) {
                Stop::Steps => {}
                stop => return stop,
            }
        }
    }

    /// Runs at most `steps` instructions. With `breaks` (the debugger's copy of the ops,
    /// `Break` at its breakpoints), stops before a breakpoint, except the one it starts on
    /// (so that a run can leave a breakpoint): that instruction runs from the ops themselves.
    pub(crate) fn run_loop(&mut self, steps: u64, breaks: Option<&[Op]>) -> Stop {
        match breaks {
            Some(ops) if steps > 0 && ops.get(self.pc).is_some_and(|op| op.kind == K::Break) => {
                match self.run_ops(1, None) {
                    Stop::Steps if steps > 1 => self.run_ops(steps - 1, breaks),
                    stop => stop,
                }
            }
            _ => self.run_ops(steps, breaks),
        }
    }

    /// The loop of `run_loop`, over `breaks` when given (never a `Break` at the first pc),
    /// else over the prepared ops. One instance serves every caller: a second one (with
    /// breakpoint checks) cost 20 KB of the wasm module.
    fn run_ops(&mut self, steps: u64, breaks: Option<&[Op]>) -> Stop {
        if self.status != Status::Running {
            return Stop::Ended;
        }
        let prep = self.prep.clone();
        let ops: &[Op] = breaks.unwrap_or(&prep.ops);
        let budget = self.config.budget;
        let stop_at = self.insns.saturating_add(steps);
        let limit = stop_at.min(budget);
        let mut pc = self.pc;
        // The registers live in a local array of 16 while the loop runs: indexes masked with
        // 15 need no bounds checks, and nothing else aliases them. Every way out of the loop,
        // and every call into the slow path, syncs them with `self.regs`.
        let mut r = [0u64; 16];
        r[..11].copy_from_slice(&self.regs);
        // Likewise the instruction count.
        let mut insns = self.insns;
        macro_rules! sync_out {
            () => {{
                self.regs.copy_from_slice(&r[..11]);
                self.insns = insns;
                self.flush_pending();
            }};
        }
        loop {
            if insns >= limit {
                self.pc = pc;
                sync_out!();
                // A breakpoint stops before the budget faults, as the step it precedes would.
                if ops[pc].kind == K::Break {
                    return Stop::Breakpoint;
                }
                if insns >= stop_at {
                    return Stop::Steps;
                }
                self.fault(pc, FaultKind::Budget { limit: budget });
                return Stop::Ended;
            }
            insns += 1;
            let op = &ops[pc];
            let cur = pc;
            pc += 1;
            let d = (op.dst & 15) as usize;
            let s = (op.src & 15) as usize;
            macro_rules! fault {
                ($k:expr) => {{
                    let k = $k;
                    sync_out!();
                    self.fault(cur, k);
                    return Stop::Ended;
                }};
            }
            // Loads and stores try the plain case inline (a live region in bounds, not the
            // ctx) and fall back to the checked path, which explains a fault.
            macro_rules! load {
                ($a:expr, $size:expr) => {{
                    let a = $a;
                    match self.mem.fast_read(a, $size) {
                        Some(v) if region_of(a) != self.ctx_region => v,
                        _ => tryf!(self.load(a, $size)),
                    }
                }};
            }
            macro_rules! store {
                ($a:expr, $bytes:expr) => {{
                    let a = $a;
                    let bytes = $bytes;
                    if region_of(a) == self.ctx_region || !self.mem.fast_write(a, bytes) {
                        tryf!(self.write_bytes(a, &bytes));
                    }
                }};
            }
            macro_rules! tryf {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        Err(k) => fault!(k),
                    }
                };
            }
            macro_rules! jump {
                ($cond:expr) => {
                    if $cond {
                        pc = op.off as usize;
                    }
                };
            }
            macro_rules! ea {
                ($r:expr) => {
                    r[$r].wrapping_add(op.off as i64 as u64)
                };
            }
            let imm = op.imm as u64;
            match op.kind {
                K::Add64I => r[d] = alu(Width::W64, AluOp::Add, r[d], imm),
                K::Add64R => r[d] = alu(Width::W64, AluOp::Add, r[d], r[s]),
                K::Sub64I => r[d] = alu(Width::W64, AluOp::Sub, r[d], imm),
                K::Sub64R => r[d] = alu(Width::W64, AluOp::Sub, r[d], r[s]),
                K::Mul64I => r[d] = alu(Width::W64, AluOp::Mul, r[d], imm),
                K::Mul64R => r[d] = alu(Width::W64, AluOp::Mul, r[d], r[s]),
                K::Div64I => r[d] = alu(Width::W64, AluOp::Div, r[d], imm),
                K::Div64R => r[d] = alu(Width::W64, AluOp::Div, r[d], r[s]),
                K::Sdiv64I => r[d] = alu(Width::W64, AluOp::Sdiv, r[d], imm),
                K::Sdiv64R => r[d] = alu(Width::W64, AluOp::Sdiv, r[d], r[s]),
                K::Or64I => r[d] = alu(Width::W64, AluOp::Or, r[d], imm),
                K::Or64R => r[d] = alu(Width::W64, AluOp::Or, r[d], r[s]),
                K::And64I => r[d] = alu(Width::W64, AluOp::And, r[d], imm),
                K::And64R => r[d] = alu(Width::W64, AluOp::And, r[d], r[s]),
                K::Lsh64I => r[d] = alu(Width::W64, AluOp::Lsh, r[d], imm),
                K::Lsh64R => r[d] = alu(Width::W64, AluOp::Lsh, r[d], r[s]),
                K::Rsh64I => r[d] = alu(Width::W64, AluOp::Rsh, r[d], imm),
                K::Rsh64R => r[d] = alu(Width::W64, AluOp::Rsh, r[d], r[s]),
                K::Mod64I => r[d] = alu(Width::W64, AluOp::Mod, r[d], imm),
                K::Mod64R => r[d] = alu(Width::W64, AluOp::Mod, r[d], r[s]),
                K::Smod64I => r[d] = alu(Width::W64, AluOp::Smod, r[d], imm),
                K::Smod64R => r[d] = alu(Width::W64, AluOp::Smod, r[d], r[s]),
                K::Xor64I => r[d] = alu(Width::W64, AluOp::Xor, r[d], imm),
                K::Xor64R => r[d] = alu(Width::W64, AluOp::Xor, r[d], r[s]),
                K::Mov64I => r[d] = alu(Width::W64, AluOp::Mov, r[d], imm),
                K::Mov64R => r[d] = alu(Width::W64, AluOp::Mov, r[d], r[s]),
                K::Arsh64I => r[d] = alu(Width::W64, AluOp::Arsh, r[d], imm),
                K::Arsh64R => r[d] = alu(Width::W64, AluOp::Arsh, r[d], r[s]),
                K::Add32I => r[d] = alu(Width::W32, AluOp::Add, r[d], imm),
                K::Add32R => r[d] = alu(Width::W32, AluOp::Add, r[d], r[s]),
                K::Sub32I => r[d] = alu(Width::W32, AluOp::Sub, r[d], imm),
                K::Sub32R => r[d] = alu(Width::W32, AluOp::Sub, r[d], r[s]),
                K::Mul32I => r[d] = alu(Width::W32, AluOp::Mul, r[d], imm),
                K::Mul32R => r[d] = alu(Width::W32, AluOp::Mul, r[d], r[s]),
                K::Div32I => r[d] = alu(Width::W32, AluOp::Div, r[d], imm),
                K::Div32R => r[d] = alu(Width::W32, AluOp::Div, r[d], r[s]),
                K::Sdiv32I => r[d] = alu(Width::W32, AluOp::Sdiv, r[d], imm),
                K::Sdiv32R => r[d] = alu(Width::W32, AluOp::Sdiv, r[d], r[s]),
                K::Or32I => r[d] = alu(Width::W32, AluOp::Or, r[d], imm),
                K::Or32R => r[d] = alu(Width::W32, AluOp::Or, r[d], r[s]),
                K::And32I => r[d] = alu(Width::W32, AluOp::And, r[d], imm),
                K::And32R => r[d] = alu(Width::W32, AluOp::And, r[d], r[s]),
                K::Lsh32I => r[d] = alu(Width::W32, AluOp::Lsh, r[d], imm),
                K::Lsh32R => r[d] = alu(Width::W32, AluOp::Lsh, r[d], r[s]),
                K::Rsh32I => r[d] = alu(Width::W32, AluOp::Rsh, r[d], imm),
                K::Rsh32R => r[d] = alu(Width::W32, AluOp::Rsh, r[d], r[s]),
                K::Mod32I => r[d] = alu(Width::W32, AluOp::Mod, r[d], imm),
                K::Mod32R => r[d] = alu(Width::W32, AluOp::Mod, r[d], r[s]),
                K::Smod32I => r[d] = alu(Width::W32, AluOp::Smod, r[d], imm),
                K::Smod32R => r[d] = alu(Width::W32, AluOp::Smod, r[d], r[s]),
                K::Xor32I => r[d] = alu(Width::W32, AluOp::Xor, r[d], imm),
                K::Xor32R => r[d] = alu(Width::W32, AluOp::Xor, r[d], r[s]),
                K::Mov32I => r[d] = alu(Width::W32, AluOp::Mov, r[d], imm),
                K::Mov32R => r[d] = alu(Width::W32, AluOp::Mov, r[d], r[s]),
                K::Arsh32I => r[d] = alu(Width::W32, AluOp::Arsh, r[d], imm),
                K::Arsh32R => r[d] = alu(Width::W32, AluOp::Arsh, r[d], r[s]),
                K::Neg64 => r[d] = neg(Width::W64, r[d]),
                K::Neg32 => r[d] = neg(Width::W32, r[d]),
                K::MovSx64 => r[d] = movsx(Width::W64, r[s], op.aux),
                K::MovSx32 => r[d] = movsx(Width::W32, r[s], op.aux),
                K::Le => r[d] = endian(Endian::Le, op.aux, r[d]),
                // On this little-endian machine `be` is the byte swap.
                K::Be | K::Bswap => r[d] = endian(Endian::Swap, op.aux, r[d]),
                K::LdImm64 => {
                    r[d] = imm;
                    pc += 1;
                }
                K::LdxB => r[d] = load!(ea!(s), 1),
                K::LdxH => r[d] = load!(ea!(s), 2),
                K::LdxW => r[d] = load!(ea!(s), 4),
                K::LdxDW => r[d] = load!(ea!(s), 8),
                K::LdxSB => r[d] = sign_extend(load!(ea!(s), 1), 8),
                K::LdxSH => r[d] = sign_extend(load!(ea!(s), 2), 16),
                K::LdxSW => r[d] = sign_extend(load!(ea!(s), 4), 32),
                K::StB => store!(ea!(d), [imm as u8]),
                K::StH => store!(ea!(d), (imm as u16).to_le_bytes()),
                K::StW => store!(ea!(d), (imm as u32).to_le_bytes()),
                K::StDW => store!(ea!(d), imm.to_le_bytes()),
                K::StxB => store!(ea!(d), [r[s] as u8]),
                K::StxH => store!(ea!(d), (r[s] as u16).to_le_bytes()),
                K::StxW => store!(ea!(d), (r[s] as u32).to_le_bytes()),
                K::StxDW => store!(ea!(d), r[s].to_le_bytes()),
                K::Ja => pc = op.off as usize,
                K::JeqI => jump!(jump_taken(Width::W64, JmpOp::Eq, r[d], imm)),
                K::JeqR => jump!(jump_taken(Width::W64, JmpOp::Eq, r[d], r[s])),
                K::JneI => jump!(jump_taken(Width::W64, JmpOp::Ne, r[d], imm)),
                K::JneR => jump!(jump_taken(Width::W64, JmpOp::Ne, r[d], r[s])),
                K::JgtI => jump!(jump_taken(Width::W64, JmpOp::Gt, r[d], imm)),
                K::JgtR => jump!(jump_taken(Width::W64, JmpOp::Gt, r[d], r[s])),
                K::JgeI => jump!(jump_taken(Width::W64, JmpOp::Ge, r[d], imm)),
                K::JgeR => jump!(jump_taken(Width::W64, JmpOp::Ge, r[d], r[s])),
                K::JltI => jump!(jump_taken(Width::W64, JmpOp::Lt, r[d], imm)),
                K::JltR => jump!(jump_taken(Width::W64, JmpOp::Lt, r[d], r[s])),
                K::JleI => jump!(jump_taken(Width::W64, JmpOp::Le, r[d], imm)),
                K::JleR => jump!(jump_taken(Width::W64, JmpOp::Le, r[d], r[s])),
                K::JsgtI => jump!(jump_taken(Width::W64, JmpOp::Sgt, r[d], imm)),
                K::JsgtR => jump!(jump_taken(Width::W64, JmpOp::Sgt, r[d], r[s])),
                K::JsgeI => jump!(jump_taken(Width::W64, JmpOp::Sge, r[d], imm)),
                K::JsgeR => jump!(jump_taken(Width::W64, JmpOp::Sge, r[d], r[s])),
                K::JsltI => jump!(jump_taken(Width::W64, JmpOp::Slt, r[d], imm)),
                K::JsltR => jump!(jump_taken(Width::W64, JmpOp::Slt, r[d], r[s])),
                K::JsleI => jump!(jump_taken(Width::W64, JmpOp::Sle, r[d], imm)),
                K::JsleR => jump!(jump_taken(Width::W64, JmpOp::Sle, r[d], r[s])),
                K::JsetI => jump!(jump_taken(Width::W64, JmpOp::Set, r[d], imm)),
                K::JsetR => jump!(jump_taken(Width::W64, JmpOp::Set, r[d], r[s])),
                K::Jeq32I => jump!(jump_taken(Width::W32, JmpOp::Eq, r[d], imm)),
                K::Jeq32R => jump!(jump_taken(Width::W32, JmpOp::Eq, r[d], r[s])),
                K::Jne32I => jump!(jump_taken(Width::W32, JmpOp::Ne, r[d], imm)),
                K::Jne32R => jump!(jump_taken(Width::W32, JmpOp::Ne, r[d], r[s])),
                K::Jgt32I => jump!(jump_taken(Width::W32, JmpOp::Gt, r[d], imm)),
                K::Jgt32R => jump!(jump_taken(Width::W32, JmpOp::Gt, r[d], r[s])),
                K::Jge32I => jump!(jump_taken(Width::W32, JmpOp::Ge, r[d], imm)),
                K::Jge32R => jump!(jump_taken(Width::W32, JmpOp::Ge, r[d], r[s])),
                K::Jlt32I => jump!(jump_taken(Width::W32, JmpOp::Lt, r[d], imm)),
                K::Jlt32R => jump!(jump_taken(Width::W32, JmpOp::Lt, r[d], r[s])),
                K::Jle32I => jump!(jump_taken(Width::W32, JmpOp::Le, r[d], imm)),
                K::Jle32R => jump!(jump_taken(Width::W32, JmpOp::Le, r[d], r[s])),
                K::Jsgt32I => jump!(jump_taken(Width::W32, JmpOp::Sgt, r[d], imm)),
                K::Jsgt32R => jump!(jump_taken(Width::W32, JmpOp::Sgt, r[d], r[s])),
                K::Jsge32I => jump!(jump_taken(Width::W32, JmpOp::Sge, r[d], imm)),
                K::Jsge32R => jump!(jump_taken(Width::W32, JmpOp::Sge, r[d], r[s])),
                K::Jslt32I => jump!(jump_taken(Width::W32, JmpOp::Slt, r[d], imm)),
                K::Jslt32R => jump!(jump_taken(Width::W32, JmpOp::Slt, r[d], r[s])),
                K::Jsle32I => jump!(jump_taken(Width::W32, JmpOp::Sle, r[d], imm)),
                K::Jsle32R => jump!(jump_taken(Width::W32, JmpOp::Sle, r[d], r[s])),
                K::Jset32I => jump!(jump_taken(Width::W32, JmpOp::Set, r[d], imm)),
                K::Jset32R => jump!(jump_taken(Width::W32, JmpOp::Set, r[d], r[s])),
                K::BadTarget => fault!(FaultKind::BadJump { target: op.imm }),
                K::WritesFp => fault!(FaultKind::FramePointerWrite),
                K::FellOff => {
                    // Reached only by falling through from the last instruction.
                    insns -= 1;
                    sync_out!();
                    self.fault(cur.saturating_sub(1), FaultKind::FellOff);
                    return Stop::Ended;
                }
                K::Invalid | K::Unsupported => fault!(self.invalid_reason(cur)),
                K::Break => {
                    insns -= 1;
                    self.pc = cur;
                    sync_out!();
                    return Stop::Breakpoint;
                }
                K::CallHelper => {
                    // Helpers that only read arguments and return a value need no sync.
                    if let Some(v) = self.pure_helper(op.imm, r[1], insns) {
                        r[0] = v;
                        continue;
                    }
                    self.pc = pc;
                    sync_out!();
                    if let Err(k) = self.call_helper_at(cur, op.imm, op.off) {
                        self.fault(cur, k);
                        return Stop::Ended;
                    }
                    if !matches!(self.status, Status::Running) {
                        return Stop::Ended;
                    }
                    r[..11].copy_from_slice(&self.regs);
                    insns = self.insns;
                    pc = self.pc;
                }
                // bpf-to-bpf calls and exits stay in the loop: they work on its registers.
                K::CallLocal => {
                    let function = op.imm as usize;
                    if let Some(start) =
                        self.push_call_fast(&mut r, cur, function, op.aux, op.off as usize)
                    {
                        pc = start;
                        continue;
                    }
                    self.insns = insns;
                    self.flush_pending();
                    let called = self.call_function_in(&mut r, cur, function, FrameKind::Call);
                    tryf!(called);
                    pc = self.pc;
                }
                K::Exit => {
                    if let Some(next) = self.pop_call_fast(&mut r) {
                        pc = next;
                        continue;
                    }
                    self.insns = insns;
                    self.flush_pending();
                    self.exit_in(&mut r, cur);
                    if !matches!(self.status, Status::Running) {
                        sync_out!();
                        return Stop::Ended;
                    }
                    pc = self.pc;
                }
                K::LdMap
                | K::LdMapValue
                | K::LdAbs
                | K::LdInd
                | K::Atomic
                | K::MayGoto
                | K::CallKfunc
                | K::Callx => {
                    self.pc = pc;
                    sync_out!();
                    if let Err(k) = self.slow(cur, *op) {
                        self.fault(cur, k);
                        return Stop::Ended;
                    }
                    if !matches!(self.status, Status::Running) {
                        return Stop::Ended;
                    }
                    r[..11].copy_from_slice(&self.regs);
                    insns = self.insns;
                    pc = self.pc;
                }
            }
        }
    }

    #[cold]
    fn invalid_reason(&self, pc: usize) -> FaultKind {
        match self.prep.slots.get(pc) {
            Some(unwind_isa::Slot::Invalid(e)) => FaultKind::InvalidInsn {
                reason: e.to_string(),
            },
            Some(unwind_isa::Slot::Imm64Tail) => FaultKind::InvalidInsn {
                reason: "the second half of an ld_imm64 is not an instruction".into(),
            },
            Some(unwind_isa::Slot::Insn(i)) => FaultKind::Unsupported {
                what: match i {
                    unwind_isa::Insn::AddrSpaceCast { .. } => {
                        "addr_space_cast: arenas are not modelled".into()
                    }
                    _ => "ld_imm64 of a kernel symbol (BPF_PSEUDO_BTF_ID) is not modelled".into(),
                },
            },
            None => FaultKind::FellOff,
        }
    }

    /// The instructions that leave the loop. `self.pc` is the next pc on entry; they may
    /// change it (calls, exits) or end the run.
    fn slow(&mut self, cur: usize, op: Op) -> Result<(), FaultKind> {
        let d = op.dst as usize;
        let s = op.src as usize;
        match op.kind {
            K::LdMap => {
                let map = op.imm as u32;
                self.check_map_index(map)?;
                self.regs[d] = addr(MAP_REGION_BASE + map, 0);
                self.pc += 1;
            }
            K::LdMapValue => {
                let map = op.imm as u32;
                self.check_map_index(map)?;
                let region = self
                    .array_elem(map, 0)
                    .ok_or_else(|| FaultKind::Unsupported {
                        what: format!(
                            "a direct value load needs an array map; map {map} is {}",
                            self.kernel.maps[map as usize].def.map_type
                        ),
                    })?;
                self.regs[d] = addr(region, op.off as u32);
                self.pc += 1;
            }
            K::LdAbs | K::LdInd => {
                let base = if op.kind == K::LdInd { self.regs[s] } else { 0 };
                // `bpf_gen_ld_abs` adds the index register to imm in 64 bits and hands the sum
                // to the load helper as an `int` offset.
                let off = base.wrapping_add(op.imm as u64) as i32 as i64;
                let size = op.aux as usize;
                let packet = (self.packet_region != 0)
                    .then(|| &self.mem.regions[self.packet_region as usize].data);
                let Some(packet) = packet else {
                    return Err(FaultKind::Unsupported {
                        what: "legacy packet loads (LD_ABS/LD_IND) need a program type with a packet (socket, tc, cgroup_skb, ...)".into(),
                    });
                };
                if off < 0 || off as u64 + size as u64 > packet.len() as u64 {
                    // `bpf_gen_ld_abs`: an out-of-bounds load returns 0 from the current
                    // function (a hidden `exit`), not from the program: in a subprogram the
                    // caller continues with R0 = 0, in a `bpf_loop` callback the loop goes on.
                    self.regs[0] = 0;
                    self.exit(cur);
                    return Ok(());
                }
                let b = &packet[off as usize..off as usize + size];
                self.regs[0] = b.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
            }
            K::Atomic => self.atomic(op)?,
            K::MayGoto => {
                let i = self.frames.len() - 1;
                let mut f = self.frames[i];
                if f.may_goto_left == 0 {
                    self.pc = op.off as usize;
                } else {
                    f.may_goto_left -= 1;
                    self.set_frame(i, f);
                }
            }
            K::CallHelper => self.call_helper(cur, op.imm)?,
            K::CallKfunc => match unwind_kernel::FUNCS.get(op.off as usize) {
                Some(func) if op.off >= 0 => self.call_func(cur, func)?,
                _ => self.call_kfunc(cur, op.imm as i32)?,
            },
            K::Callx => {
                let v = self.regs[d];
                if region_of(v) == CODE_REGION {
                    let target = offset_of(v);
                    if target < 0 || self.prep.func_starting_at(target as usize).is_none() {
                        return Err(FaultKind::BadJump { target });
                    }
                    self.call_local(cur, target as usize, FrameKind::Call)?;
                } else {
                    // uBPF's convention, used by the conformance suite: the register holds a
                    // helper id.
                    self.call_helper(cur, v as i64)?;
                }
            }
            _ => unreachable!("not a slow-path kind"),
        }
        Ok(())
    }

    fn check_map_index(&self, map: u32) -> Result<(), FaultKind> {
        if (map as usize) < self.kernel.maps.len() {
            Ok(())
        } else {
            Err(FaultKind::InvalidInsn {
                reason: format!(
                    "map {map} does not exist (the program declares {})",
                    self.kernel.maps.len()
                ),
            })
        }
    }

    fn atomic(&mut self, op: Op) -> Result<(), FaultKind> {
        let d = op.dst as usize;
        let s = op.src as usize;
        let size = op.aux as u32;
        let a = self.regs[d].wrapping_add(op.off as i64 as u64);
        let old = self.load(a, size)?;
        let src = self.regs[s];
        let fetch = op.imm & 1 != 0;
        let new = match op.imm & !1 {
            0x00 => old.wrapping_add(src),
            0x40 => old | src,
            0x50 => old & src,
            0xa0 => old ^ src,
            0xe0 => src,
            _ => {
                // cmpxchg: compare with R0 (its low half for the 32-bit form); R0 gets the old value.
                let expected = if size == 4 {
                    self.regs[0] as u32 as u64
                } else {
                    self.regs[0]
                };
                let new = if old == expected { src } else { old };
                if new != old {
                    self.write_sized(a, new, size)?;
                }
                self.regs[0] = old;
                return Ok(());
            }
        };
        self.write_sized(a, new, size)?;
        if fetch {
            self.regs[s] = old;
        }
        Ok(())
    }

    fn write_sized(&mut self, a: u64, v: u64, size: u32) -> Result<(), FaultKind> {
        if size == 4 {
            self.write_bytes(a, &(v as u32).to_le_bytes())
        } else {
            self.write_bytes(a, &v.to_le_bytes())
        }
    }

    /// A bpf-to-bpf call (or a callback invocation) to the function starting at `target`.
    pub(crate) fn call_local(
        &mut self,
        cur: usize,
        target: usize,
        kind: FrameKind,
    ) -> Result<(), FaultKind> {
        let function = self
            .prep
            .func_starting_at(target)
            .ok_or(FaultKind::BadJump {
                target: target as i64,
            })?;
        self.call_function(cur, function, kind)
    }

    /// A call of function number `function`.
    pub(crate) fn call_function(
        &mut self,
        cur: usize,
        function: usize,
        kind: FrameKind,
    ) -> Result<(), FaultKind> {
        let mut regs = self.regs;
        let called = self.call_function_in(&mut regs, cur, function, kind);
        self.regs = regs;
        called
    }

    /// [`Machine::call_function`] on the registers `regs` (the loop's own copy): the call
    /// stays in the loop. `self.insns` must be current (the call event's step).
    fn call_function_in(
        &mut self,
        regs: &mut [u64],
        cur: usize,
        function: usize,
        kind: FrameKind,
    ) -> Result<(), FaultKind> {
        let target = self.prep.funcs[function].start;
        self.push_frame_in(regs, function, kind, Some(cur), cur + 1)?;
        if self.call_event_room() {
            let name = self.prep.funcs[function].name.clone();
            let depth = self.frames.len() - 1;
            self.event(
                cur,
                crate::events::EventKind::Call {
                    function: name,
                    depth,
                },
            );
        }
        self.pc = target;
        Ok(())
    }

    /// `exit`: the end of the program, a return to the caller, or the next iteration of a
    /// `bpf_loop` callback.
    fn exit(&mut self, cur: usize) {
        let mut regs = self.regs;
        self.exit_in(&mut regs, cur);
        self.regs = regs;
    }

    /// [`Machine::exit`] on the registers `regs` (the loop's own copy): a return or the next
    /// callback iteration stays in the loop. `self.insns` must be current (the events' step).
    fn exit_in(&mut self, regs: &mut [u64], cur: usize) {
        let frame = *self.frames.last().expect("a running program has a frame");
        match frame.kind {
            FrameKind::Main | FrameKind::ExceptionCallback => self.finish(cur, regs[0]),
            FrameKind::Call => {
                self.pop_frame_in(regs, true);
                self.return_event(cur, &frame, regs[0]);
                self.pc = frame.return_pc;
            }
            FrameKind::LoopCallback { index, count, ctx } => {
                let r0 = regs[0];
                self.pop_frame_in(regs, true);
                self.return_event(cur, &frame, r0);
                if r0 == 0 && index + 1 < count {
                    // The next iteration: a fresh invocation of the callback.
                    let start = self.prep.funcs[frame.function].start;
                    let call_site = frame.call_site.unwrap_or(cur);
                    let next = FrameKind::LoopCallback {
                        index: index + 1,
                        count,
                        ctx,
                    };
                    self.push_frame_in(
                        regs,
                        frame.function,
                        next,
                        Some(call_site),
                        frame.return_pc,
                    )
                    .unwrap_or_else(|e| frame_must_fit("the frame just popped fits again", e));
                    if self.call_event_room() {
                        let function = self.prep.funcs[frame.function].name.clone();
                        self.event(
                            call_site,
                            crate::events::EventKind::Call {
                                function,
                                depth: frame.depth,
                            },
                        );
                    }
                    regs[1] = index + 1;
                    regs[2] = ctx;
                    regs[3] = 0;
                    regs[4] = 0;
                    regs[5] = 0;
                    self.pc = start;
                } else {
                    // bpf_loop returns the number of iterations made.
                    regs[0] = if r0 != 0 { index + 1 } else { count };
                    self.pc = frame.return_pc;
                }
            }
        }
    }

    fn return_event(&mut self, cur: usize, frame: &crate::frames::Frame, value: u64) {
        if !self.call_event_room() {
            return;
        }
        let function = self.prep.funcs[frame.function].name.clone();
        self.event(
            cur,
            crate::events::EventKind::Return {
                function,
                depth: frame.depth,
                value,
            },
        );
    }
}
