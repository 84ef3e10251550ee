//! What a throw does with the resources the unwound frames hold: the policy a verified program
//! is loaded with, beside the descriptors it may carry.

use std::sync::Arc;

use crate::DescTable;

/// How `bpf_throw` treats the frames it unwinds. The verifier's loader
/// (`unwind_verifier::runnable`) picks it from the exception mode; the interpreter carries it
/// out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Unwinding {
    /// Upstream's semantics (`legacy` and `upstream`): the frames are discarded and nothing is
    /// released; what they held is reported as leaked.
    #[default]
    DiscardFrames,
    /// The RFC's frame descriptors (reference §4.7), keyed by the pcs of the program being run
    /// (the one [`add_throw_trampoline`](crate::add_throw_trampoline) produced): per frame, the
    /// descriptor of its pc names the stack slots and callee-saved registers to release.
    Descriptors(Arc<DescTable>),
    /// The `runtime` mode: every acquire and release is also recorded in a per-program run-time
    /// table, and a throw releases what the table holds, newest first.
    RuntimeTable,
}

impl Unwinding {
    /// `discard_frames`, `descriptors` or `runtime_table`: the names the CLI and the JS API
    /// print.
    pub fn name(&self) -> &'static str {
        match self {
            Unwinding::DiscardFrames => "discard_frames",
            Unwinding::Descriptors(_) => "descriptors",
            Unwinding::RuntimeTable => "runtime_table",
        }
    }

    /// The descriptor table, when the unwinder reads one.
    pub fn descriptors(&self) -> Option<&DescTable> {
        match self {
            Unwinding::Descriptors(table) => Some(table),
            _ => None,
        }
    }
}
