//! The exception passes of the "exceptions - resource cleanup" design, independent of the
//! verifier's internals:
//!
//! - [`throw_facts`]: the pre-pass that finds which functions might throw, bottom-up over the
//!   call graph (the RFC's patch 01; upstream's `might_throw`).
//! - [`DescTable`]: frame descriptors (stack maps), one per pc through which an exception can
//!   unwind, merged over every path with the RFC's rules (patch 05) plus the fix agreed in
//!   review (a non-zero scalar does not merge with a pointer).
//! - [`add_throw_trampoline`]: the hidden function every `bpf_throw` goes through (patch 07).
//! - [`Unwinding`]: what a throw does with what the frames hold (discard, descriptors, or the
//!   run-time table), the policy a verified program is loaded with.
//!
//! The verifier observes, on each path that reaches a throw, what every frame holds and hands
//! it to [`DescTable::merge`]; the interpreter's unwinder reads the merged descriptors.

mod desc;
mod throw;
mod tramp;
mod unwinding;

pub use desc::{
    join, kernel_type_name, Content, DescTable, Entry, FrameDesc, Location, MergeError,
    Observation, Unmergeable,
};
pub use throw::{is_throw_call, throw_facts, ThrowFacts};
pub use tramp::{add_throw_trampoline, trampoline_body, TRAMPOLINE_NAME};
pub use unwinding::Unwinding;
