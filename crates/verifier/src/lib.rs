//! A BPF verifier in the kernel's style (Linux 6.12 semantics, written anew): path-sensitive
//! abstract interpretation with tnums and signed/unsigned 64/32-bit bounds, pointer types,
//! stack slot kinds, reference tracking, spin locks and RCU sections, static and global
//! subprograms, `bpf_loop` callbacks, state pruning and the 1,000,000-instruction limit, and a
//! log in the kernel's format.
//!
//! ```
//! let program = unwind_asm::assemble("r0 = 0\nexit\n").program.unwrap();
//! let verdict = unwind_verifier::verify(&program, &unwind_verifier::Options::default());
//! assert!(verdict.accepted);
//! ```
//!
//! A host that wants to follow a long verification, or stop it, passes an observer to
//! [`verify_with`]: it is called every [`PROGRESS_STRIDE`] processed instructions, and
//! returning `ControlFlow::Break` ends the verification with [`Cancelled`] (no verdict).

pub mod bounds;
mod check;
mod cleanup_v2;
pub mod log;
mod prune;
mod runnable;
pub mod state;
mod subprog;
pub mod tnum;
pub mod verdict;

use std::ops::ControlFlow;

use serde::Serialize;
use unwind_program::Program;

pub use check::{Reject, COMPLEXITY_LIMIT};
pub use runnable::{prog_type_of, runnable, Runnable};
pub use verdict::{
    DedicatedSlot, DescriptorEntry, DescriptorSlot, FrameDescriptor, FunctionFacts, Loaded,
    PathContribution, PcState, Rewrite, Stats, Verdict, VerifyError, MAX_LOG_SIZE, MIN_LOG_SIZE,
};

/// How exceptions are treated (SPEC §4). Named as `docs/names.md` lists (`--mode`, the JS
/// `mode` option, JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    Legacy,
    Upstream,
    #[default]
    Cleanup,
    CleanupV2,
    Runtime,
}

impl Mode {
    /// Every mode, in the order of [`Mode::NAMES`].
    pub const ALL: [Mode; 5] = [
        Mode::Legacy,
        Mode::Upstream,
        Mode::Cleanup,
        Mode::CleanupV2,
        Mode::Runtime,
    ];
    /// The canonical names (what JSON prints).
    pub const NAMES: &'static [&'static str] =
        &["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

    /// The canonical name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Mode {
    type Err = unwind_program::names::UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let spellings: Vec<(&str, Mode)> = Self::NAMES.iter().copied().zip(Self::ALL).collect();
        unwind_program::names::lookup("mode", s, &spellings, Self::NAMES)
    }
}

impl Serialize for Mode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        unwind_program::names::serialize(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for Mode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        unwind_program::names::deserialize(d)
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    /// 0: errors only; 1: the failing path and the summary; 2: every instruction and state.
    pub log_level: u32,
    pub mode: Mode,
    /// A privileged load (CAP_PERFMON) may read stack bytes never written
    /// (`allow_uninit_stack`); off, such reads are refused.
    pub allow_uninit_stack: bool,
    /// Keep the states seen at each pc for the verdict.
    pub record_states: bool,
    /// The most instructions a pass processes (at most, and by default, the kernel's
    /// [`COMPLEXITY_LIMIT`]); over it the verdict is the kernel's `BPF program is too large.
    /// Processed N insn`, and the summary line names this budget as the limit.
    pub budget: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            log_level: 1,
            mode: Mode::default(),
            allow_uninit_stack: true,
            record_states: true,
            budget: COMPLEXITY_LIMIT,
        }
    }
}

/// How often [`verify_with`] reports: every this many processed instructions (the count
/// the summary line prints, `processed N insns`), when the count reaches a multiple of it.
pub const PROGRESS_STRIDE: u64 = 8_192;

/// What [`verify_with`]'s observer is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Instructions processed so far by the pass under way (cleanup-v2 runs several passes,
    /// each counting from 0, as each one's summary does).
    pub insns_processed: u64,
    /// States stored so far (`total_states`).
    pub total_states: usize,
    /// The instruction being processed.
    pub pc: usize,
}

/// The observer of [`verify_with`] stopped the verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Verifies a program.
pub fn verify(program: &Program, opts: &Options) -> Verdict {
    verify_observed(program, opts, None)
        .expect("nothing cancels a verification without an observer")
}

/// Verifies a program, calling `observer` every [`PROGRESS_STRIDE`] processed instructions;
/// `Err(Cancelled)` when it returned `Break`. Without the observer's calls, the same as
/// [`verify`].
pub fn verify_with(
    program: &Program,
    opts: &Options,
    observer: &mut dyn FnMut(Progress) -> ControlFlow<()>,
) -> Result<Verdict, Cancelled> {
    verify_observed(program, opts, Some(observer))
}

fn verify_observed(
    program: &Program,
    opts: &Options,
    observer: check::Observer,
) -> Result<Verdict, Cancelled> {
    let mut verdict = if opts.mode == Mode::CleanupV2 {
        cleanup_v2::verify(program, opts, observer)?
    } else {
        check::verify_pass(program, opts, cleanup_v2::Pass::default(), observer)?.0
    };
    verdict.loaded = loaded(program, &verdict, opts.mode);
    Ok(verdict)
}

/// In the cleanup modes, the program as it is loaded: the rewrite, then every `bpf_throw`
/// routed through the hidden trampoline.
fn loaded(program: &Program, verdict: &Verdict, mode: Mode) -> Option<Loaded> {
    if !verdict.accepted || !matches!(mode, Mode::Cleanup | Mode::CleanupV2) {
        return None;
    }
    let r = runnable(program, verdict, mode).ok()?;
    let f = r
        .program
        .functions
        .iter()
        .find(|f| f.name == unwind_stackmap::TRAMPOLINE_NAME)?;
    Some(Loaded {
        trampoline: FunctionFacts::of(&r.program, f, 0, true),
        disassembly: unwind_program::disasm::disassemble(
            &r.program,
            unwind_program::disasm::Style::Source,
        ),
    })
}
