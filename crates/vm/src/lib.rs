//! The Unwind interpreter: runs BPF programs with RFC 9669's exact semantics, real frames for
//! bpf-to-bpf calls (with the callee-saved registers each function's prologue saves), checked
//! memory regions, and a deterministic simulated kernel driven by the one catalogue
//! (`unwind_kernel::FUNCS`). A run can go at full speed ([`run_program`], [`Vm::run`] with no
//! breakpoints) or step by step, forwards and backwards ([`Vm`]). The `_with`
//! variants of the run paths ([`Machine::run_with`], [`Vm::run_with`], ...) report to an
//! observer every [`PROGRESS_STRIDE`] executed instructions, which can stop them.
//!
//! Module map: [`memory`] (tagged addresses, regions), [`decode`] (pre-decoded instructions),
//! [`exec`] (the loop; its arithmetic is `unwind_isa::semantics`), [`frames`], [`kernel`] (helpers and kfuncs),
//! [`unwind`] (`bpf_throw`), [`world`], [`resources`], [`events`], [`checkpoints`] and [`stepper`]
//! (stepping, and back by re-execution from checkpoints), [`snapshot`], [`fault`], [`conformance`] (the suite's `.data` files).
//! The kernel selftest harness's set-up (the maps it fills in) is `unwind-kselftests`'s: it is
//! about that harness, not the interpreter.

pub mod checkpoints;
pub mod conformance;
pub mod decode;
pub mod events;
pub mod exec;
pub mod fault;
pub mod frames;
pub mod kernel;
pub mod machine;
pub mod memory;
pub mod resources;
pub mod snapshot;
pub mod stepper;
pub mod unwind;
pub mod world;

pub use events::{Event, EventKind, ReleasedBy};
pub use exec::{Observer, Progress, PROGRESS_STRIDE};
pub use fault::{Access, Fault, FaultKind};
pub use frames::{Frame, FrameKind, MAX_FRAMES, MAY_GOTO_BUDGET};
pub use machine::{Config, HelperTable, Machine, Status, TraceLine, Unwinding, DEFAULT_BUDGET};
pub use resources::{Held, LockKind, Resource, ResourceRef};
pub use snapshot::{FrameView, Snapshot};
pub use stepper::{run_program, Stopped, Vm, DEFAULT_TRACE_CAPACITY};
pub use world::{parse_hex, World, WorldError};
