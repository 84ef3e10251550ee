//! A request to the session as the package's worker makes one (`packages/unwind-bpf/src/
//! worker.ts`): an entry (assemble, verify, a debugger, a one-shot run) with an options tree
//! as the bindings build it from a JS value, a source, and for a debugger the actions the
//! worker forwards (step, run, back, breakpoints, events, ...). [`serve`] performs it and
//! checks what issue 12 asks of hostile input: no panic, misuse is a typed error with a
//! message, everything else is data that serializes as it crosses to JS, and the work ends
//! within its budget.
//!
//! Shared by `tests/hostile.rs` (proptest strategies) and the `session` fuzz target
//! (`fuzz/fuzz_targets/session.rs`, the fuzzer's bytes), as the soundness grammar is.
#![allow(dead_code)]

use std::ops::ControlFlow;

use unwind_session::{
    assemble, from_options, verify_with, AssembleOptions, CamelCase, DebugOptions, Debugger, Error,
    OptionValue, Progress, StopReason, VerifyOptions,
};

/// What the worker's `call.op` is.
#[derive(Clone, Copy, Debug)]
pub enum Entry {
    Assemble,
    Verify,
    Debugger,
    Run,
}

impl Entry {
    pub const ALL: [Entry; 4] = [Entry::Assemble, Entry::Verify, Entry::Debugger, Entry::Run];
}

/// What the worker's `act` (and a verification's readers) forward.
#[derive(Clone, Debug)]
pub enum Action {
    Step,
    StepOver,
    StepOut,
    Run,
    Back(u32),
    BackOver,
    BackOut,
    Reset,
    Breakpoint(u32, bool),
    Recording(bool),
    Events(u32),
    /// `logLines(from, to)` of a verification, or `states(from, to)`, as JS numbers (`as`
    /// saturates them: `Infinity`, negatives, NaN).
    LogLines(f64, f64),
    States(f64, f64),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub entry: Entry,
    pub options: OptionValue,
    pub source: String,
    pub actions: Vec<Action>,
}

/// The most the verifier may process in one request here (the fuzzer's time), and the most
/// a run may execute: the observers stop the work beyond them (`cancelled`, as a host would).
pub const VERIFY_LIMIT: u64 = 50_000;
pub const RUN_BUDGET: u64 = 20_000;
const TRACE_LIMIT: usize = 4_096;

/// Every field name the option types know, and two keys that are dangers in JS objects, for
/// generators.
pub fn keys() -> &'static [&'static str] {
    static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = unwind_session::options_read::field_names();
        keys.extend(["__proto__", "constructor"]);
        keys
    })
}

/// Values worth trying for string options.
pub const WORDS: &[&str] = &[
    "auto",
    "pseudo_c",
    "ubpf",
    "hex",
    "legacy",
    "upstream",
    "cleanup",
    "cleanup-v2",
    "runtime",
    "kernel",
    "conformance",
    "tcp",
    "udp",
    "0102030405060708",
    "10.0.0.1:80",
    "zz",
    "",
    "\u{0}",
    "é",
];

/// Serializes as the bindings' `to_js` does (JSON text of the camelCase value).
fn crosses(what: &str, value: &impl serde::Serialize) {
    if let Err(e) = serde_json::to_string(&CamelCase(value)) {
        panic!("{what} does not serialize: {e}");
    }
}

/// An error the host shows: a message, never empty.
fn typed(what: &str, message: &str) {
    assert!(
        !message.trim().is_empty(),
        "{what}: an error without a message"
    );
}

/// Stops a verification past [`VERIFY_LIMIT`] processed instructions.
fn verify_observer() -> impl FnMut(Progress) -> ControlFlow<()> {
    |p: Progress| {
        if p.insns_processed > VERIFY_LIMIT {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Performs `request` and checks its answers.
pub fn serve(request: &Request) {
    let options = request.options.clone();
    match request.entry {
        Entry::Assemble => match from_options::<AssembleOptions>(options) {
            Err(e) => typed("assemble options", &e.to_string()),
            Ok(o) => match assemble(&request.source, &o) {
                Err(e) => typed("assemble", &e),
                Ok(view) => crosses("the assembly", &view),
            },
        },
        Entry::Verify => match from_options::<VerifyOptions>(options) {
            Err(e) => typed("verify options", &e.to_string()),
            Ok(mut o) => {
                // A budget over the limit is misuse (checked, cheap); within it, bounded here.
                if !matches!(o.budget, Some(b) if b > unwind_verifier::COMPLEXITY_LIMIT) {
                    o.budget = Some(o.budget.unwrap_or(VERIFY_LIMIT).min(VERIFY_LIMIT));
                }
                match verify_with(&request.source, &o, None) {
                    Err(Error::Options(e)) => typed("verify", &e),
                    Err(Error::Cancelled) => panic!("cancelled without an observer"),
                    Ok(v) => {
                        let r = v.report();
                        assert_eq!(
                            r.verdict.accepted,
                            r.assembled && r.verdict.errors.is_empty(),
                            "accepted exactly when it assembled and has no errors"
                        );
                        assert!(r.verdict.stats.insns_processed <= VERIFY_LIMIT + 1);
                        for e in &r.verdict.errors {
                            typed("a verifier error", &e.message);
                        }
                        crosses("the summary", &v.summary());
                        for action in &request.actions {
                            match *action {
                                Action::LogLines(from, to) => {
                                    let lines = v.log_lines(from as usize, to as usize);
                                    assert!(lines.len() <= v.line_count());
                                }
                                Action::States(from, to) => {
                                    crosses("states", &v.states(from as usize, to as usize))
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        },
        Entry::Debugger | Entry::Run => match from_options::<DebugOptions>(options) {
            Err(e) => typed("debugger options", &e.to_string()),
            Ok(mut o) => {
                o.budget = Some(o.budget.unwrap_or(RUN_BUDGET).min(RUN_BUDGET));
                o.trace_capacity = Some(o.trace_capacity.unwrap_or(TRACE_LIMIT).min(TRACE_LIMIT));
                let mut observer = verify_observer();
                match Debugger::new_with(&request.source, &o, Some(&mut observer)) {
                    Err(Error::Options(e)) => typed("debugger", &e),
                    Err(Error::Cancelled) => {} // past VERIFY_LIMIT: a host's cancel
                    Ok(mut vm) => drive(&mut vm, request),
                }
            }
        },
    }
}

fn drive(vm: &mut Debugger, request: &Request) {
    let ready = vm.state().ready;
    crosses("the first state", &vm.state());
    crosses("the descriptors", &vm.descriptors());
    let lines = vm.lines();
    if !ready {
        assert_eq!(vm.run(), StopReason::NotReady);
        return;
    }
    if let Entry::Run = request.entry {
        vm.set_recording(false);
        let stop = vm.run();
        assert_eq!(
            stop,
            StopReason::Ended,
            "a one-shot run ends (within its budget)"
        );
        crosses("the end state", &vm.state());
        crosses("the events", &vm.events(0));
        return;
    }
    for action in &request.actions {
        let stop = match *action {
            Action::Step => Some(vm.step()),
            Action::StepOver => Some(vm.step_over()),
            Action::StepOut => Some(vm.step_out()),
            Action::Run => Some(vm.run()),
            Action::Back(n) => {
                let trace = vm.state().trace_length;
                let back = vm.back(n as usize);
                assert!(
                    back <= n as usize && back <= trace,
                    "back {back} of {n} with {trace}"
                );
                None
            }
            Action::BackOver | Action::BackOut => {
                let trace = vm.state().trace_length;
                let back = match action {
                    Action::BackOver => vm.back_over(),
                    _ => vm.back_out(),
                };
                assert!(back <= trace, "back {back} with {trace}");
                None
            }
            Action::Reset => {
                vm.reset();
                None
            }
            Action::Breakpoint(pc, on) => {
                vm.set_breakpoint(pc as usize, on);
                None
            }
            Action::Recording(on) => {
                vm.set_recording(on);
                None
            }
            Action::Events(from) => {
                crosses("events", &vm.events(from as usize));
                None
            }
            Action::LogLines(..) | Action::States(..) => None,
        };
        if let Some(stop) = stop {
            assert_ne!(stop, StopReason::NotReady, "a loaded program is ready");
            assert_ne!(stop, StopReason::Cancelled, "cancelled without an observer");
        }
        crosses("the state", &vm.state());
    }
    // However it was driven, a run from here ends (the budget is small).
    for pc in vm.state().breakpoints {
        vm.set_breakpoint(pc, false);
    }
    assert!(lines.len() >= vm.state().breakpoints.len());
    assert_eq!(vm.run(), StopReason::Ended);
}
