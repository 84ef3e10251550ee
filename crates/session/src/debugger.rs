//! A source under the debugger: assembled, verified in the chosen mode, loaded as the kernel
//! would load it (`unwind_verifier::runnable`: cleanup-v2's rewrite, the hidden trampoline,
//! the unwinding policy) and stepped in the interpreter. Why there is nothing to run (the
//! source does not assemble, the verifier refuses it, the world is invalid) is data.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};
use unwind_asm::Diagnostic;
use unwind_verifier::{FrameDescriptor, Mode, Runnable, VerifyError};
use unwind_vm::{Config, Event, HelperTable, Snapshot, Stopped, Vm, World};

use crate::progress::{verifier_observer, vm_observer, Error, Observer};

/// Options of a debugger (JS: `VmOptions`). Unknown fields are misuse.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DebugOptions {
    pub syntax: Option<String>,
    /// The simulated world (snake_case keys, as `unwind run --world` reads it). A field of
    /// the wrong type is misuse; a world the program cannot run in (bad hex, a map it does
    /// not declare) is the session's error, data.
    pub world: Option<World>,
    /// Instruction budget (default [`unwind_vm::DEFAULT_BUDGET`]).
    pub budget: Option<u64>,
    /// `kernel` (default) or `conformance`.
    pub helpers: Option<String>,
    /// How many steps `back` can undo (default: all, back to the start; at most
    /// [`MAX_TRACE_CAPACITY`] when given).
    pub trace_capacity: Option<usize>,
    /// The exceptions mode the program is verified in and loaded for (default `cleanup`).
    pub mode: Option<String>,
    /// Skip the verifier: nothing to unwind by but the run-time table (`runtime`).
    #[serde(default)]
    pub unverified: bool,
}

/// The most a given `traceCapacity` may be. When every step was recorded (about 100 bytes
/// each) this bounded the memory of a long run; going back now re-executes from checkpoints
/// of bounded memory (`unwind_vm::checkpoints`) whatever the capacity, and without one `back`
/// reaches the start. The bound stays as the option's contract.
pub const MAX_TRACE_CAPACITY: usize = 1_000_000;

/// Why a step or a run stopped; `not_ready` when there is nothing to run; `cancelled` when
/// the observer stopped it (the machine stays where it stopped and can go on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Step,
    Breakpoint,
    Ended,
    NotReady,
    Cancelled,
}

impl From<Stopped> for StopReason {
    fn from(s: Stopped) -> StopReason {
        match s {
            Stopped::Step => StopReason::Step,
            Stopped::Breakpoint => StopReason::Breakpoint,
            Stopped::Ended => StopReason::Ended,
            Stopped::Cancelled => StopReason::Cancelled,
        }
    }
}

/// A program under the debugger, or why there is none.
pub struct Debugger {
    vm: Option<Vm>,
    diagnostics: Vec<Diagnostic>,
    error: Option<String>,
    mode: Mode,
    verified: bool,
    /// The verifier refused the program: its errors (then there is no `vm`).
    rejected: Option<Vec<VerifyError>>,
    /// The descriptors the unwinder reads, keyed by the loaded program's pcs.
    descriptors: Vec<FrameDescriptor>,
}

/// What `state()` returns: the session's facts and, when a program is loaded, the machine's
/// snapshot (its fields beside these).
#[derive(Clone, Debug, Serialize)]
pub struct DebuggerState {
    /// A program is loaded and can be stepped.
    pub ready: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the program could not be set up (an invalid world, say).
    pub error: Option<String>,
    pub mode: Mode,
    /// The verifier accepted the program (false when run `unverified`).
    pub verified: bool,
    pub verifier_errors: Vec<VerifyError>,
    pub breakpoints: Vec<usize>,
    /// Steps `back` can undo now.
    pub trace_length: usize,
    #[serde(flatten)]
    pub machine: Machine,
}

/// The machine's side of the state.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Machine {
    Loaded(Box<Snapshot>),
    /// Nothing to run, and why; the machine's fields are empty.
    Idle {
        state: Idle,
        #[serde(flatten)]
        empty: Box<Snapshot>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Idle {
    /// The verifier refused the program.
    Rejected,
    /// It did not assemble, or could not be set up.
    NotReady,
}

impl Debugger {
    /// Assembles, verifies in the chosen mode and loads what the verifier accepted. `Err`
    /// only for misuse (an unknown syntax, mode or helper table).
    pub fn new(source: &str, options: &DebugOptions) -> Result<Debugger, String> {
        Debugger::new_with(source, options, None).map_err(|e| e.to_string())
    }

    /// [`Debugger::new`], the verification reporting progress to `observer`;
    /// [`Error::Cancelled`] when it stopped the verifier.
    pub fn new_with(
        source: &str,
        options: &DebugOptions,
        observer: Option<Observer>,
    ) -> Result<Debugger, Error> {
        let syntax = crate::syntax_option(options.syntax.as_deref())?;
        let mode = crate::mode_option(options.mode.as_deref())?;
        if let Some(n) = options.trace_capacity.filter(|&n| n > MAX_TRACE_CAPACITY) {
            return Err(Error::Options(format!(
                "trace capacity {n} is over the most, {MAX_TRACE_CAPACITY} steps"
            )));
        }
        let helpers: HelperTable = match &options.helpers {
            None => HelperTable::default(),
            Some(name) => name.parse().map_err(|e| Error::Options(format!("{e}")))?,
        };
        let mut session = Debugger {
            vm: None,
            diagnostics: Vec::new(),
            error: None,
            mode,
            verified: false,
            rejected: None,
            descriptors: Vec::new(),
        };
        let assembly = unwind_asm::assemble_with(source, &unwind_asm::Options { syntax });
        let Some(program) = assembly.program else {
            session.diagnostics = assembly.diagnostics;
            return Ok(session);
        };
        let runnable = if options.unverified {
            Runnable::unverified(program, mode)
        } else {
            let opts = unwind_verifier::Options {
                log_level: 0,
                mode,
                record_states: false,
                ..unwind_verifier::Options::default()
            };
            let verdict = match observer {
                None => unwind_verifier::verify(&program, &opts),
                Some(o) => unwind_verifier::verify_with(&program, &opts, &mut verifier_observer(o))
                    .map_err(|_| Error::Cancelled)?,
            };
            if !verdict.accepted {
                session.rejected = Some(verdict.errors);
                return Ok(session);
            }
            session.verified = true;
            match unwind_verifier::runnable(&program, &verdict, mode) {
                Ok(r) => r,
                Err(e) => {
                    session.error = Some(format!("cannot prepare the program: {e}"));
                    return Ok(session);
                }
            }
        };
        if let Some(table) = runnable.unwinding.descriptors() {
            session.descriptors = table
                .descs
                .values()
                .map(|d| FrameDescriptor::from_desc(d, &runnable.program))
                .collect();
        }
        let world = options.world.clone().unwrap_or_default();
        let config = Config {
            budget: options.budget.unwrap_or(unwind_vm::DEFAULT_BUDGET),
            helpers,
            unwinding: runnable.unwinding,
            ..Config::default()
        };
        match Vm::new(&runnable.program, &world, config).map_err(|e| e.to_string()) {
            Ok(mut vm) => {
                if let Some(n) = options.trace_capacity {
                    vm.set_trace_capacity(n);
                }
                session.vm = Some(vm);
            }
            Err(error) => session.error = Some(error),
        }
        Ok(session)
    }

    /// The source line of every pc of the loaded program (0: code the source does not have,
    /// like the hidden trampoline); empty when nothing is loaded.
    pub fn lines(&self) -> Vec<u32> {
        self.vm.as_ref().map_or_else(Vec::new, |vm| {
            let m = vm.machine();
            (0..m.prep.program.slots.len())
                .map(|pc| m.line(pc))
                .collect()
        })
    }

    /// The frame descriptors the unwinder reads (cleanup modes), keyed by the loaded pcs.
    pub fn descriptors(&self) -> &[FrameDescriptor] {
        &self.descriptors
    }

    fn act(&mut self, f: impl FnOnce(&mut Vm) -> Stopped) -> StopReason {
        self.vm
            .as_mut()
            .map_or(StopReason::NotReady, |vm| f(vm).into())
    }

    pub fn step(&mut self) -> StopReason {
        self.act(Vm::step)
    }

    pub fn step_over(&mut self) -> StopReason {
        self.act(Vm::step_over)
    }

    pub fn step_out(&mut self) -> StopReason {
        self.act(Vm::step_out)
    }

    pub fn run(&mut self) -> StopReason {
        self.act(Vm::run)
    }

    /// [`Debugger::step_over`], reporting to `observer` every
    /// [`RUN_STRIDE`](crate::progress::RUN_STRIDE) executed instructions; `Cancelled` when it
    /// stopped the run (the machine stays there; a new `step_over` starts from there).
    pub fn step_over_with(&mut self, observer: Option<Observer>) -> StopReason {
        with_observer(self, observer, Vm::step_over, Vm::step_over_with)
    }

    /// [`Debugger::step_out`] with an observer, as [`Debugger::step_over_with`].
    pub fn step_out_with(&mut self, observer: Option<Observer>) -> StopReason {
        with_observer(self, observer, Vm::step_out, Vm::step_out_with)
    }

    /// [`Debugger::run`] with an observer; `Cancelled` when it stopped the run, which a later
    /// `run` continues (to the same end as a run never stopped).
    pub fn run_with(&mut self, observer: Option<Observer>) -> StopReason {
        with_observer(self, observer, Vm::run, Vm::run_with)
    }

    pub fn reset(&mut self) {
        if let Some(vm) = &mut self.vm {
            vm.reset();
        }
    }

    /// Steps back up to `n` steps; returns how many.
    pub fn back(&mut self, n: usize) -> usize {
        self.vm.as_mut().map_or(0, |vm| vm.back(n))
    }

    /// Back over the call that just returned (to the latest earlier step in this frame or a
    /// caller), or to a breakpoint met on the way; returns how many steps.
    pub fn back_over(&mut self) -> usize {
        self.vm.as_mut().map_or(0, Vm::back_over)
    }

    /// Back out of this frame (to the call that entered it; in main, to the start), or to a
    /// breakpoint met on the way; returns how many steps.
    pub fn back_out(&mut self) -> usize {
        self.vm.as_mut().map_or(0, Vm::back_out)
    }

    pub fn set_breakpoint(&mut self, pc: usize, on: bool) -> bool {
        self.vm.as_mut().is_some_and(|vm| vm.set_breakpoint(pc, on))
    }

    /// Recording (needed by `back`) is on by default; off, `back` does not reach steps taken
    /// meanwhile and no checkpoints are kept (`run` takes the fast path either way).
    pub fn set_recording(&mut self, on: bool) {
        if let Some(vm) = &mut self.vm {
            vm.set_recording(on);
        }
    }

    pub fn state(&self) -> DebuggerState {
        let machine = match &self.vm {
            Some(vm) => Machine::Loaded(Box::new(vm.snapshot())),
            None => Machine::Idle {
                state: match self.rejected {
                    Some(_) => Idle::Rejected,
                    None => Idle::NotReady,
                },
                empty: Box::default(),
            },
        };
        DebuggerState {
            ready: self.vm.is_some(),
            diagnostics: self.diagnostics.clone(),
            error: self.error.clone(),
            mode: self.mode,
            verified: self.verified,
            verifier_errors: self.rejected.clone().unwrap_or_default(),
            breakpoints: self.vm.as_ref().map_or_else(Vec::new, Vm::breakpoints),
            trace_length: self.vm.as_ref().map_or(0, Vm::trace_len),
            machine,
        }
    }

    /// Events from index `from` on.
    pub fn events(&self, from: usize) -> &[Event] {
        let events = self.vm.as_ref().map_or(&[][..], |vm| vm.events());
        events.get(from..).unwrap_or(&[])
    }
}

/// `plain` without an observer, else `observed` with it, reporting as the run phase.
fn with_observer(
    session: &mut Debugger,
    observer: Option<Observer>,
    plain: fn(&mut Vm) -> Stopped,
    observed: fn(&mut Vm, &mut dyn FnMut(unwind_vm::Progress) -> ControlFlow<()>) -> Stopped,
) -> StopReason {
    match observer {
        None => session.act(plain),
        Some(o) => session.act(|vm| observed(vm, &mut vm_observer(o))),
    }
}
