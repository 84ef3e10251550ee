//! Verify, then load: what runs after verification, and how it unwinds. In the cleanup modes
//! that is the program as the kernel would load it (cleanup-v2's rewrite, then the hidden
//! `bpf_throw` trampoline) with the verifier's frame descriptors keyed by that program's pcs.
//! The CLI, the JS API, the benches and the tests all load through here: the one place that
//! maps an exception mode to an unwinding policy.

use std::sync::Arc;

use unwind_program::{PatchError, Program};
use unwind_stackmap::{add_throw_trampoline, DescTable, Unwinding};

use crate::{Mode, Verdict};

/// The program type the verifier checks `program` as: its `.ctx`, else a socket filter (the
/// kernel selftests' default, `BPF_PROG_TYPE_SOCKET_FILTER`).
pub fn prog_type_of(program: &Program) -> unwind_kernel::ProgType {
    program
        .prog_type
        .unwrap_or(unwind_kernel::ProgType::SocketFilter)
}

/// A program ready for the interpreter, with the policy its throws unwind by.
#[derive(Clone, Debug)]
pub struct Runnable {
    pub program: Program,
    pub unwinding: Unwinding,
}

impl Runnable {
    /// `program` run without verification in `mode`: there are no descriptors, so the cleanup
    /// modes discard frames as upstream does; `runtime` still has its run-time table.
    pub fn unverified(program: Program, mode: Mode) -> Runnable {
        Runnable {
            program,
            unwinding: unwinding(mode, None),
        }
    }
}

/// The program to run for an accepted `verdict` of `program` in `mode`. It runs as the
/// program type it was verified as ([`prog_type_of`]): a program without `.ctx` is checked as
/// a socket filter, so it is loaded as one, not as the interpreter's `raw` default (whose
/// input memory is not the `__sk_buff` the verifier allowed it to read).
pub fn runnable(program: &Program, verdict: &Verdict, mode: Mode) -> Result<Runnable, PatchError> {
    let prog_type = Some(prog_type_of(program));
    if !matches!(mode, Mode::Cleanup | Mode::CleanupV2) {
        let mut program = program.clone();
        program.prog_type = prog_type;
        return Ok(Runnable {
            program,
            unwinding: unwinding(mode, None),
        });
    }
    let base = verdict.rewrite.as_ref().map_or(program, |r| &r.program);
    let (mut with_tramp, map) = add_throw_trampoline(base)?;
    with_tramp.prog_type = prog_type;
    let mut table = DescTable::default();
    for mut d in verdict.desc_table.descs.values().cloned() {
        d.pc = map.insn.get(d.pc).copied().unwrap_or(d.pc);
        table.descs.insert(d.pc, d);
    }
    Ok(Runnable {
        program: with_tramp,
        unwinding: unwinding(mode, Some(table)),
    })
}

/// The exception mode's unwinding policy; `descriptors` are the verifier's, when it ran.
fn unwinding(mode: Mode, descriptors: Option<DescTable>) -> Unwinding {
    match (mode, descriptors) {
        (Mode::Legacy | Mode::Upstream, _) => Unwinding::DiscardFrames,
        (Mode::Cleanup | Mode::CleanupV2, Some(table)) => Unwinding::Descriptors(Arc::new(table)),
        (Mode::Cleanup | Mode::CleanupV2, None) => Unwinding::DiscardFrames,
        (Mode::Runtime, _) => Unwinding::RuntimeTable,
    }
}
