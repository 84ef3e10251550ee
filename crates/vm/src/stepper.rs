//! The debugger's view of a run: step, step over, step out, run to a breakpoint, run, reset,
//! and step back.
//!
//! Going back re-executes: the run keeps checkpoints of the machine every so many steps
//! ([`Checkpoints`]: bounded memory, adaptive spacing), and the machine at an earlier step is
//! the nearest checkpoint at or before it, run forward (the machine is deterministic, so it is
//! exactly the state the run had there). Nothing is recorded per instruction: `run` is the fast
//! path, stopped only at the next checkpoint, progress report, breakpoint or the end.
//!
//! A step is one instruction, or the step that ends the run (the budget fault executes
//! nothing), so the position in the run is [`Vm::position`]. How far back `back` reaches is
//! the start, or the last `trace_capacity` steps when one is set; with recording off, not
//! before where recording was last turned off.
//!
//! `run_with`, `step_over_with` and `step_out_with` report to an observer every
//! [`PROGRESS_STRIDE`] executed instructions; when it answers `Break` they return
//! [`Stopped::Cancelled`] with the machine where it was (never at a breakpoint), and stepping
//! or running goes on from there.

use std::ops::ControlFlow;
use std::sync::Arc;

use serde::Serialize;
use unwind_program::Program;

use crate::checkpoints::Checkpoints;
use crate::decode::{Op, Prepared, K};
use crate::events::Event;
use crate::exec::{Observer, Progress, Stop, PROGRESS_STRIDE};
use crate::fault::FaultKind;
use crate::machine::{Config, Machine, Status};
use crate::snapshot::Snapshot;
use crate::world::{World, WorldError};

/// Default bound of how many steps `back` reaches: none (to the start), since going back costs
/// no memory per step.
pub const DEFAULT_TRACE_CAPACITY: usize = usize::MAX;

/// Why stepping or running stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// The step (or step over / out) completed.
    Step,
    /// Before an instruction with a breakpoint.
    Breakpoint,
    /// The program exited or faulted.
    Ended,
    /// The observer stopped it; the machine is still running.
    Cancelled,
}

/// A program being run under the debugger's control.
#[derive(Clone, Debug)]
pub struct Vm {
    machine: Machine,
    initial: Box<Machine>,
    breakpoints: Vec<bool>,
    /// The ops with `Break` at each breakpoint (`None` without breakpoints), which the run
    /// loop runs over.
    breaks: Option<Vec<Op>>,
    /// How many breakpoints are set.
    break_count: usize,
    recording: bool,
    checkpoints: Checkpoints,
    /// The earliest step `back` reaches.
    floor: u64,
    trace_capacity: usize,
}

/// The step a machine is at: instructions executed, plus the step that faulted with the budget
/// (it executes none).
fn position(m: &Machine) -> u64 {
    let budget_step = matches!(&m.status, Status::Faulted { fault } if matches!(fault.kind, FaultKind::Budget { .. }));
    m.insns + budget_step as u64
}

impl Vm {
    pub fn new(program: &Program, world: &World, config: Config) -> Result<Vm, WorldError> {
        let prep = Arc::new(Prepared::new(program));
        let mut machine = Machine::with_prepared(prep.clone(), world, config)?;
        Ok(Vm {
            checkpoints: Checkpoints::new(&mut machine),
            initial: Box::new(machine.clone()),
            breakpoints: vec![false; prep.len() + 1],
            breaks: None,
            break_count: 0,
            machine,
            recording: true,
            floor: 0,
            trace_capacity: DEFAULT_TRACE_CAPACITY,
        })
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    pub fn status(&self) -> &Status {
        &self.machine.status
    }

    pub fn events(&self) -> &[Event] {
        &self.machine.kernel.events
    }

    pub fn snapshot(&self) -> Snapshot {
        self.machine.snapshot()
    }

    /// Steps taken since the start.
    pub fn position(&self) -> u64 {
        position(&self.machine)
    }

    /// The checkpoints going back re-executes from (their count, spacing and bytes).
    pub fn checkpoints(&self) -> &Checkpoints {
        &self.checkpoints
    }

    /// Starts the checkpoints afresh, `steps` apart at first whatever the machine's memory (the
    /// spacing still doubles as they thin out). Going back stays exact whatever the spacing;
    /// tests use a small one to make them thin out.
    pub fn set_checkpoint_spacing(&mut self, steps: u64) {
        self.checkpoints = Checkpoints::with_spacing(&mut (*self.initial).clone(), steps);
    }

    /// Whether steps taken can be stepped back over. On by default; off, `back` reaches no
    /// step before the current one until it is turned on again.
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
        if !on {
            self.floor = self.position();
        }
    }

    /// Bounds how many steps back `back` reaches (the last `steps` taken).
    pub fn set_trace_capacity(&mut self, steps: usize) {
        self.trace_capacity = steps;
        self.raise_floor();
    }

    /// Steps that can be undone now.
    pub fn trace_len(&self) -> usize {
        (self.position() - self.floor)
            .try_into()
            .unwrap_or(usize::MAX)
    }

    /// Sets or clears a breakpoint; false if `pc` is not in the program.
    pub fn set_breakpoint(&mut self, pc: usize, on: bool) -> bool {
        match self.breakpoints.get_mut(pc) {
            Some(b) if pc < self.machine.prep.len() => {
                // O(1) after the first: the copy is made once and patched.
                if *b != on {
                    *b = on;
                    self.break_count = if on {
                        self.break_count + 1
                    } else {
                        self.break_count - 1
                    };
                    let prep = &self.machine.prep;
                    if self.break_count == 0 {
                        self.breaks = None;
                    } else {
                        let ops = self.breaks.get_or_insert_with(|| prep.ops.clone());
                        ops[pc] = if on { Op::new(K::Break) } else { prep.ops[pc] };
                    }
                }
                true
            }
            _ => false,
        }
    }

    pub fn breakpoints(&self) -> Vec<usize> {
        (0..self.breakpoints.len())
            .filter(|&pc| self.breakpoints[pc])
            .collect()
    }

    /// Back to the state before the first instruction (breakpoints stay, and so do the
    /// checkpoints: the run is the same).
    pub fn reset(&mut self) {
        self.machine = (*self.initial).clone();
        self.floor = 0;
    }

    /// Executes one instruction.
    pub fn step(&mut self) -> Stopped {
        match self.step_one() {
            Stop::Ended => Stopped::Ended,
            _ => Stopped::Step,
        }
    }

    /// Executes one instruction; a call (bpf-to-bpf, callx, or a helper that runs a
    /// callback) runs until it returns to this frame, unless a breakpoint stops it first.
    pub fn step_over(&mut self) -> Stopped {
        self.step_over_observed(None)
    }

    /// Runs until the current frame returns (in the main frame: to the end).
    pub fn step_out(&mut self) -> Stopped {
        self.step_out_observed(None)
    }

    /// Runs to the end or the next breakpoint, on the fast path.
    pub fn run(&mut self) -> Stopped {
        self.run_observed(None)
    }

    /// [`Vm::step_over`], reporting to `observer` (see the module doc).
    pub fn step_over_with(&mut self, observer: Observer) -> Stopped {
        self.step_over_observed(Some(observer))
    }

    /// [`Vm::step_out`], reporting to `observer` (see the module doc).
    pub fn step_out_with(&mut self, observer: Observer) -> Stopped {
        self.step_out_observed(Some(observer))
    }

    /// [`Vm::run`], reporting to `observer` (see the module doc). A run it cancelled and
    /// that is then continued ends exactly as one never cancelled.
    pub fn run_with(&mut self, observer: Observer) -> Stopped {
        self.run_observed(Some(observer))
    }

    fn step_over_observed(&mut self, observer: Option<Observer>) -> Stopped {
        let depth = self.machine.frames.len();
        if self.step_one() == Stop::Ended {
            return Stopped::Ended;
        }
        // Back in this frame means at the return pc of the frame the step pushed (a call's,
        // each callback invocation's), or in the exception callback after a throw.
        let back_here = self.machine.frames.get(depth).map(|f| f.return_pc);
        self.run_while(
            |m| m.frames.len() > depth,
            [back_here, self.exception_entry()],
            observer,
        )
    }

    fn step_out_observed(&mut self, observer: Option<Observer>) -> Stopped {
        let depth = self.machine.frames.len();
        let caller = depth
            .checked_sub(1)
            .filter(|&i| i > 0)
            .map(|i| self.machine.frames[i].return_pc);
        if self.step_one() == Stop::Ended {
            return Stopped::Ended;
        }
        self.run_while(
            |m| m.frames.len() >= depth,
            [caller, self.exception_entry()],
            observer,
        )
    }

    fn run_observed(&mut self, observer: Option<Observer>) -> Stopped {
        // The first step leaves a breakpoint the run starts on.
        if self.step_one() == Stop::Ended {
            return Stopped::Ended;
        }
        self.run_while(|_| true, [None, None], observer)
    }

    /// Where the exception callback starts (a throw lands there).
    fn exception_entry(&self) -> Option<usize> {
        self.machine
            .prep
            .program
            .exception_callback()
            .map(|f| f.start)
    }

    /// Undoes up to `n` steps (not before the earliest `back` reaches); returns how many.
    pub fn back(&mut self, n: usize) -> usize {
        let pos = self.position();
        let k = (pos - self.floor).min(n as u64);
        if k > 0 {
            self.machine = self.checkpoints.machine_at(pos - k, &mut self.machine);
        }
        k as usize
    }

    /// Back over a call: to the latest earlier step in this frame or a caller (so over the
    /// call that just returned, to the instruction that made it), or at a breakpoint met on
    /// the way, as a step over forwards would have stopped there. Returns how many steps back.
    pub fn back_over(&mut self) -> usize {
        let depth = self.machine.frames.len();
        self.back_until(|frames| frames <= depth)
    }

    /// Back out of this frame: to the call that entered it (in the main frame: to the start),
    /// or at a breakpoint met on the way. Returns how many steps back.
    pub fn back_out(&mut self) -> usize {
        let depth = self.machine.frames.len();
        self.back_until(|frames| frames < depth)
    }

    /// Back to the latest earlier step (not before the earliest `back` reaches) whose frame
    /// count `stop` accepts or where a breakpoint is, else to the earliest. The stretches
    /// between checkpoints are replayed newest first, on the fast path with breakpoints at
    /// every pc where the frame count can change (each function's entry, each call's return
    /// site: a call lands on the one, an exit on the other, a throw on the exception
    /// callback's entry) and at the user's: between two such stops it stays the same.
    fn back_until(&mut self, stop: impl Fn(usize) -> bool) -> usize {
        let pos = self.position();
        let ops = self.boundary_ops();
        let mut hi = pos;
        let mut target = self.floor;
        while hi > self.floor {
            let (at, mut m) = self.checkpoints.bare_at(hi - 1);
            let lo = at.max(self.floor);
            m.run_loop(lo - at, None);
            // Where the stretch [lo, hi) stopped: (step, `stop` holds, at a breakpoint).
            let mut stops = Vec::new();
            let mut q = lo;
            while q < hi {
                let bp = m.is_running() && self.breakpoints[m.pc.min(self.breakpoints.len() - 1)];
                stops.push((q, stop(m.frames.len()), bp));
                if q + 1 == hi || m.run_loop(hi - 1 - q, Some(&ops)) == Stop::Ended {
                    break;
                }
                q = position(&m);
            }
            let mut end = hi;
            for &(q, holds, bp) in stops.iter().rev() {
                let found = if holds {
                    Some(end - 1)
                } else {
                    bp.then_some(q)
                };
                if let Some(found) = found {
                    target = found;
                    return self.back((pos - target) as usize);
                }
                end = q;
            }
            hi = lo;
        }
        self.back((pos - target) as usize)
    }

    /// The ops with `Break` at the user's breakpoints and at every function entry and call
    /// return site (see [`Vm::back_until`]).
    fn boundary_ops(&self) -> Vec<Op> {
        let prep = &self.machine.prep;
        let mut ops = self.breaks.clone().unwrap_or_else(|| prep.ops.clone());
        let entries = prep.funcs.iter().map(|f| f.start);
        let returns = (0..prep.len())
            .filter(|&pc| {
                prep.program
                    .slots
                    .get(pc)
                    .is_some_and(|i| i.code == 0x85 || i.code == 0x8d)
            })
            .map(|pc| pc + 1);
        for pc in entries.chain(returns) {
            if let Some(op) = ops.get_mut(pc) {
                *op = Op::new(K::Break);
            }
        }
        ops
    }

    /// Runs while `cond` holds, up to a breakpoint or the end, on the fast path in chunks
    /// that end at the next checkpoint or progress report, at a breakpoint, or at one of
    /// `landing`: the pcs where `cond` can stop holding while the machine runs (a frame
    /// returns only to its return pc, a throw only to the exception callback), which are
    /// breakpoints of the loop meanwhile. Between chunks: `cond`, the user's breakpoints,
    /// and the observer when the executed count is a multiple of the stride.
    fn run_while(
        &mut self,
        cond: impl Fn(&Machine) -> bool,
        landing: [Option<usize>; 2],
        mut observer: Option<Observer>,
    ) -> Stopped {
        let patched = self.patch_landing(landing);
        let stopped = loop {
            if !self.machine.is_running() {
                break Stopped::Ended;
            }
            if !cond(&self.machine) {
                break Stopped::Step;
            }
            if self.breakpoints[self.machine.pc.min(self.breakpoints.len() - 1)] {
                break Stopped::Breakpoint;
            }
            let pos = self.position();
            if let Some(observer) = observer.as_deref_mut() {
                if self.machine.insns % PROGRESS_STRIDE == 0 {
                    let progress = Progress {
                        executed: self.machine.insns,
                        pc: self.machine.pc,
                    };
                    if observer(progress) == ControlFlow::Break(()) {
                        break Stopped::Cancelled;
                    }
                }
            }
            let mut until = u64::MAX;
            if self.recording {
                // Past due after a stretch with recording off: the next step captures.
                until = self.checkpoints.next_due(&self.machine).max(pos + 1);
            }
            if observer.is_some() {
                until = until.min((self.machine.insns / PROGRESS_STRIDE + 1) * PROGRESS_STRIDE);
            }
            let stop = self.machine.run_loop(until - pos, self.breaks.as_deref());
            self.advanced();
            if stop == Stop::Ended {
                break Stopped::Ended;
            }
        };
        self.unpatch(patched);
        stopped
    }

    /// Puts `Break` at the landing pcs that have none; returns them.
    fn patch_landing(&mut self, landing: [Option<usize>; 2]) -> [Option<usize>; 2] {
        let prep = &self.machine.prep;
        let mut patched = [None, None];
        for (slot, pc) in patched.iter_mut().zip(landing) {
            let Some(pc) = pc.filter(|&pc| pc < prep.len()) else {
                continue;
            };
            let ops = self.breaks.get_or_insert_with(|| prep.ops.clone());
            if ops[pc].kind != K::Break {
                ops[pc] = Op::new(K::Break);
                *slot = Some(pc);
            }
        }
        patched
    }

    fn unpatch(&mut self, patched: [Option<usize>; 2]) {
        if let Some(ops) = &mut self.breaks {
            for pc in patched.into_iter().flatten() {
                ops[pc] = self.machine.prep.ops[pc];
            }
        }
        if self.break_count == 0 {
            self.breaks = None;
        }
    }

    fn step_one(&mut self) -> Stop {
        if !self.machine.is_running() {
            return Stop::Ended;
        }
        let stop = self.machine.run_loop(1, None);
        self.advanced();
        stop
    }

    /// After the machine moved forward: a checkpoint when one is due, and the earliest step
    /// `back` reaches.
    fn advanced(&mut self) {
        let pos = self.position();
        if self.recording {
            if self.machine.is_running() && pos >= self.checkpoints.next_due(&self.machine) {
                self.checkpoints.capture(pos, &mut self.machine);
            }
        } else {
            self.floor = pos;
        }
        self.raise_floor();
    }

    fn raise_floor(&mut self) {
        let reach = self.position().saturating_sub(self.trace_capacity as u64);
        self.floor = self.floor.max(reach);
    }
}

/// Runs a program to the end on the fast path.
pub fn run_program(
    program: &Program,
    world: &World,
    config: Config,
) -> Result<Machine, WorldError> {
    let mut m = Machine::new(program, world, config)?;
    m.run_loop(u64::MAX, None);
    Ok(m)
}
