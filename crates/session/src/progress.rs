//! What long work reports while it runs, and how a host stops it.
//!
//! The verifier calls its observer every [`VERIFY_STRIDE`] processed instructions
//! (`unwind_verifier::PROGRESS_STRIDE`, 8,192), a run every [`RUN_STRIDE`] executed
//! instructions (`unwind_vm::PROGRESS_STRIDE`, 65,536). Returning `ControlFlow::Break` stops
//! the work: a verification ends with [`Error::Cancelled`] (no verdict), a run or a step with
//! [`StopReason::Cancelled`](crate::StopReason::Cancelled), the machine kept where it stopped
//! so that stepping can continue.

use std::ops::ControlFlow;

use serde::Serialize;

pub use unwind_verifier::PROGRESS_STRIDE as VERIFY_STRIDE;
pub use unwind_vm::PROGRESS_STRIDE as RUN_STRIDE;

/// Which work is reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Verify,
    Run,
}

/// One report (JS: `Progress`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub phase: Phase,
    /// The verifier: instructions processed so far (the summary's `processed N insns`, of the
    /// pass under way: cleanup-v2 runs several); a run: instructions executed since the start.
    pub insns_processed: u64,
    /// The verifier: states explored so far (`total_states`); a run: 0.
    pub states: u64,
    /// The pc being processed now.
    pub pc: usize,
}

/// What a host passes to follow (and stop) long work.
pub type Observer<'a> = &'a mut dyn FnMut(Progress) -> ControlFlow<()>;

/// Why a verification or a debugger set-up gave no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Misuse: an unknown option value, an option out of range.
    Options(String),
    /// The observer returned `Break`.
    Cancelled,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Options(e) => f.write_str(e),
            Error::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(e: String) -> Error {
        Error::Options(e)
    }
}

/// The verifier's observer, reporting through `observer` as the verify phase.
pub(crate) fn verifier_observer<'a>(
    observer: Observer<'a>,
) -> impl FnMut(unwind_verifier::Progress) -> ControlFlow<()> + 'a {
    move |p| {
        observer(Progress {
            phase: Phase::Verify,
            insns_processed: p.insns_processed,
            states: p.total_states as u64,
            pc: p.pc,
        })
    }
}

/// The interpreter's observer, reporting through `observer` as the run phase.
pub(crate) fn vm_observer<'a>(
    observer: Observer<'a>,
) -> impl FnMut(unwind_vm::Progress) -> ControlFlow<()> + 'a {
    move |p| {
        observer(Progress {
            phase: Phase::Run,
            insns_processed: p.executed,
            states: 0,
            pc: p.pc,
        })
    }
}
