//! The debugger's view of a run: step, step over, step out, run to a breakpoint, run, reset,
//! and step back through a bounded recorded trace.
//!
//! Recording keeps, for each step, only what it changed: the registers that changed (old
//! values), the bytes a write replaced, frames pushed or popped, resources and map entries
//! added or removed, and a few counters. Stepping back applies those in reverse; stepping
//! forward again re-executes, which the deterministic machine makes identical. The trace holds
//! at most `trace_capacity` steps; older ones are dropped (memory stays bounded).
//! With no breakpoint and recording off, `run` takes the fast path.
//!
//! `run_with`, `step_over_with` and `step_out_with` report to an observer every
//! [`PROGRESS_STRIDE`] executed instructions; when it answers `Break` they return
//! [`Stopped::Cancelled`] with the machine where it was (never at a breakpoint), and stepping
//! or running goes on from there.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::Arc;

use serde::Serialize;
use unwind_program::Program;

use crate::decode::{Op, Prepared, K};
use crate::events::Event;
use crate::exec::{Observer, Progress, Stop, PROGRESS_STRIDE};
use crate::machine::{Config, Machine, Status, Store};
use crate::snapshot::Snapshot;
use crate::undo::Undo;
use crate::world::{World, WorldError};

/// Default bound of the recorded trace, in steps.
pub const DEFAULT_TRACE_CAPACITY: usize = 100_000;

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

/// What one recorded step changed (about 100 bytes, plus any undo entries). A step always
/// starts from a running machine, so the status before it is `Running`.
#[derive(Clone, Debug)]
struct StepRecord {
    insns: u64,
    prng: u64,
    pc: u32,
    next_resource: u32,
    trace_len: u32,
    trace_bytes: u32,
    events_len: u32,
    events_dropped: u32,
    trace_dropped: u32,
    /// The first two registers the step changed, with their old values (most steps change
    /// at most two; more go into `undo` as `Undo::Reg`).
    regs: [(u8, u64); 2],
    nregs: u8,
    undo: Vec<Undo>,
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
    trace: VecDeque<StepRecord>,
    trace_capacity: usize,
}

impl Vm {
    pub fn new(program: &Program, world: &World, config: Config) -> Result<Vm, WorldError> {
        let prep = Arc::new(Prepared::new(program));
        let machine = Machine::with_prepared(prep.clone(), world, config)?;
        Ok(Vm {
            initial: Box::new(machine.clone()),
            breakpoints: vec![false; prep.len() + 1],
            breaks: None,
            break_count: 0,
            machine,
            recording: true,
            trace: VecDeque::new(),
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

    /// Whether steps are recorded (needed to step back). On by default.
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
        if !on {
            self.trace.clear();
        }
    }

    pub fn set_trace_capacity(&mut self, steps: usize) {
        self.trace_capacity = steps;
        while self.trace.len() > steps {
            self.trace.pop_front();
        }
    }

    /// Steps that can be undone now.
    pub fn trace_len(&self) -> usize {
        self.trace.len()
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

    /// Back to the state before the first instruction (breakpoints stay).
    pub fn reset(&mut self) {
        self.machine = (*self.initial).clone();
        self.trace.clear();
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

    /// Runs to the end or the next breakpoint. Without breakpoints and recording, this is
    /// the fast path.
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
        self.run_while(|m| m.frames.len() > depth, observer)
    }

    fn step_out_observed(&mut self, observer: Option<Observer>) -> Stopped {
        let depth = self.machine.frames.len();
        if self.step_one() == Stop::Ended {
            return Stopped::Ended;
        }
        self.run_while(|m| m.frames.len() >= depth, observer)
    }

    fn run_observed(&mut self, observer: Option<Observer>) -> Stopped {
        if !self.recording {
            let stop = self.machine.run_observed(self.breaks.as_deref(), observer);
            return match stop {
                Stop::Breakpoint => Stopped::Breakpoint,
                Stop::Cancelled => Stopped::Cancelled,
                _ => Stopped::Ended,
            };
        }
        if self.step_one() == Stop::Ended {
            return Stopped::Ended;
        }
        self.run_while(|_| true, observer)
    }

    /// Undoes up to `n` recorded steps; returns how many were undone.
    pub fn back(&mut self, n: usize) -> usize {
        let mut done = 0;
        while done < n {
            let Some(rec) = self.trace.pop_back() else {
                break;
            };
            self.undo(rec);
            done += 1;
        }
        done
    }

    /// Steps while `cond` holds, up to a breakpoint or the end; the observer is asked when
    /// the executed count has reached a multiple of the stride, where no breakpoint is.
    fn run_while(
        &mut self,
        cond: impl Fn(&Machine) -> bool,
        mut observer: Option<Observer>,
    ) -> Stopped {
        let mut next = (self.machine.insns / PROGRESS_STRIDE + 1) * PROGRESS_STRIDE;
        loop {
            if !self.machine.is_running() {
                return Stopped::Ended;
            }
            if !cond(&self.machine) {
                return Stopped::Step;
            }
            if self.breakpoints[self.machine.pc.min(self.breakpoints.len() - 1)] {
                return Stopped::Breakpoint;
            }
            if let Some(observer) = observer.as_deref_mut() {
                if self.machine.insns >= next {
                    next = (self.machine.insns / PROGRESS_STRIDE + 1) * PROGRESS_STRIDE;
                    let progress = Progress {
                        executed: self.machine.insns,
                        pc: self.machine.pc,
                    };
                    if observer(progress) == ControlFlow::Break(()) {
                        return Stopped::Cancelled;
                    }
                }
            }
            if self.step_one() == Stop::Ended {
                return Stopped::Ended;
            }
        }
    }

    fn step_one(&mut self) -> Stop {
        let m = &mut self.machine;
        if !m.is_running() {
            return Stop::Ended;
        }
        if !self.recording {
            return m.run_loop(1, None);
        }
        let regs = m.regs;
        let mut rec = StepRecord {
            pc: m.pc as u32,
            insns: m.insns,
            prng: m.kernel.prng,
            next_resource: m.kernel.next_resource,
            trace_len: m.kernel.trace.len() as u32,
            trace_bytes: m.kernel.trace_bytes,
            events_len: m.kernel.events.len() as u32,
            events_dropped: m.kernel.events_dropped,
            trace_dropped: m.kernel.trace_dropped,
            regs: [(0, 0); 2],
            nregs: 0,
            undo: Vec::new(),
        };
        m.log.enabled = true;
        m.log.entries.clear();
        let stop = m.run_loop(1, None);
        m.log.enabled = false;
        rec.undo = std::mem::take(&mut m.log.entries);
        for (i, &old) in regs.iter().enumerate() {
            if old != m.regs[i] {
                if (rec.nregs as usize) < rec.regs.len() {
                    rec.regs[rec.nregs as usize] = (i as u8, old);
                    rec.nregs += 1;
                } else {
                    rec.undo.push(Undo::Reg {
                        index: i as u8,
                        old,
                    });
                }
            }
        }
        self.trace.push_back(rec);
        if self.trace.len() > self.trace_capacity {
            self.trace.pop_front();
        }
        stop
    }

    fn undo(&mut self, rec: StepRecord) {
        let m = &mut self.machine;
        for u in rec.undo.into_iter().rev() {
            match u {
                Undo::Reg { index, old } => m.regs[index as usize] = old,
                Undo::Mem(old) => m.mem.restore(&old),
                Undo::RegionAdded => m.mem.pop_region(),
                Undo::RegionLive { region, was } => m.mem.regions[region as usize].live = was,
                Undo::FramePushed => {
                    m.frames.pop();
                }
                Undo::FramePopped(f) => m.frames.push(f),
                Undo::FrameChanged { index, old } => m.frames[index] = old,
                Undo::ResourceAdded => {
                    m.kernel.resources.pop();
                }
                Undo::ResourceRemoved { index, resource } => {
                    m.kernel.resources.insert(index, resource)
                }
                Undo::MapInserted { map, key } => {
                    if let Store::Hash { entries } = &mut m.kernel.maps[map as usize].store {
                        entries.remove(&key);
                    }
                }
                Undo::MapRemoved { map, key, region } => {
                    if let Store::Hash { entries } = &mut m.kernel.maps[map as usize].store {
                        entries.insert(key, region);
                    }
                }
                Undo::ArrayElemCreated { map, index } => {
                    if let Store::Array { elems } = &mut m.kernel.maps[map as usize].store {
                        elems.remove(&index);
                    }
                }
                Undo::RingbufUsed { map, old } => {
                    if let Store::Ringbuf { used } = &mut m.kernel.maps[map as usize].store {
                        *used = old;
                    }
                }
                Undo::ObjectCreated => {
                    m.kernel.objects.pop();
                }
                Undo::TableRecorded => {
                    m.kernel.runtime_table.pop();
                    m.kernel.runtime_table_ops -= 1;
                }
                Undo::TableRemoved { index, id } => {
                    m.kernel.runtime_table.insert(index, id);
                    m.kernel.runtime_table_ops -= 1;
                }
            }
        }
        for &(i, old) in &rec.regs[..rec.nregs as usize] {
            m.regs[i as usize] = old;
        }
        m.pc = rec.pc as usize;
        m.insns = rec.insns;
        m.kernel.prng = rec.prng;
        m.kernel.next_resource = rec.next_resource;
        m.kernel.trace.truncate(rec.trace_len as usize);
        m.kernel.events.truncate(rec.events_len as usize);
        m.kernel.trace_bytes = rec.trace_bytes;
        m.kernel.events_dropped = rec.events_dropped;
        m.kernel.trace_dropped = rec.trace_dropped;
        m.status = Status::Running;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_record_stays_small() {
        // 100,000 recorded steps (the default bound) then take about 12 MB plus their writes.
        assert!(
            std::mem::size_of::<StepRecord>() <= 120,
            "{}",
            std::mem::size_of::<StepRecord>()
        );
    }
}
