//! What runs after verification: in the cleanup modes, the program as the kernel would load
//! it (cleanup-v2's rewrite, then the hidden `bpf_throw` trampoline) and the verifier's frame
//! descriptors keyed by that program's pcs. The CLI, the JS API and the tests share it.

use unwind_program::{PatchError, Program};
use unwind_stackmap::{add_throw_trampoline, DescTable};

use crate::{Mode, Verdict};

/// A verified program ready for the interpreter.
#[derive(Clone, Debug)]
pub struct Runnable {
    pub program: Program,
    /// The descriptors to unwind with (`cleanup`, `cleanup-v2`); `None` in the other modes,
    /// which discard frames (`legacy`, `upstream`) or use the run-time table (`runtime`).
    pub descriptors: Option<DescTable>,
}

/// The program to run for an accepted `verdict` of `program` in `mode`.
pub fn runnable(program: &Program, verdict: &Verdict, mode: Mode) -> Result<Runnable, PatchError> {
    if !matches!(mode, Mode::Cleanup | Mode::CleanupV2) {
        return Ok(Runnable {
            program: program.clone(),
            descriptors: None,
        });
    }
    let base = verdict
        .rewrite
        .as_ref()
        .map_or(program, |r| &r.program);
    let (with_tramp, map) = add_throw_trampoline(base)?;
    let mut table = DescTable::default();
    for mut d in verdict.desc_table.descs.values().cloned() {
        d.pc = map.insn.get(d.pc).copied().unwrap_or(d.pc);
        table.descs.insert(d.pc, d);
    }
    Ok(Runnable {
        program: with_tramp,
        descriptors: Some(table),
    })
}
