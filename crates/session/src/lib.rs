//! What the playground and the JS API ask of Unwind, as plain Rust, tested natively: the
//! `unwind-wasm` bindings only convert arguments and results around these.
//!
//! - [`assembly`]: a source assembled into the views the page shows (instructions with their
//!   bytes and source places, both disassembly styles, functions, maps).
//! - [`verification`]: a source assembled and verified: the verdict, or why there is none.
//! - [`mod@catalogue`]: the kernel functions the simulated kernel models (completion and hover
//!   help).
//! - [`debugger`]: a source assembled, verified, loaded (`unwind_verifier::runnable`) and
//!   stepped in the interpreter.
//! - [`object`]: a BPF object file's programs as assembly text with their C lines.
//! - [`js_names`]: the one naming policy of the JS API (every struct field in camelCase).
//! - [`options_tree`]: the options as the bindings hand them over (a tree of JS values) and
//!   their deserializer, whose errors name the option.
//! - [`progress`]: what long work (verifying, running) reports while it runs, and how a host
//!   stops it.
//!
//! Results are the pure crates' own types wherever they exist (verdict, frame descriptors,
//! snapshots, events); problems in the user's program are data, and only misuse (an unknown
//! option value) is an `Err`.

pub mod assembly;
pub mod catalogue;
pub mod debugger;
pub mod js_names;
pub mod object;
pub mod options_read;
pub mod options_tree;
pub mod progress;
pub mod verification;

pub use assembly::{assemble, AssembleOptions, AssemblyView};
pub use catalogue::{catalogue, catalogue_json, CatalogueEntry};
pub use debugger::{DebugOptions, Debugger, DebuggerState, StopReason, MAX_TRACE_CAPACITY};
pub use js_names::CamelCase;
pub use object::{open_object, open_object_json, ObjectProgramView, ObjectView, MAX_OBJECT_BYTES};
pub use options_read::FromOptions;
pub use options_tree::{from_options, OptionValue, OptionsError};
pub use progress::{Error, Observer, Phase, Progress, RUN_STRIDE, VERIFY_STRIDE};
pub use verification::{
    verify, verify_with, Verification, VerifyOptions, VerifyReport, VerifySummary, MAX_LOG_SIZE,
    MIN_LOG_SIZE,
};

use unwind_asm::Syntax;
use unwind_verifier::Mode;

/// The syntax option: `None` is detection.
fn syntax_option(name: Option<&str>) -> Result<Syntax, String> {
    name.map_or(Ok(Syntax::Auto), |n| n.parse().map_err(|e| format!("{e}")))
}

/// The mode option: `None` is the default (`cleanup`).
fn mode_option(name: Option<&str>) -> Result<Mode, String> {
    name.map_or(Ok(Mode::default()), |n| {
        n.parse().map_err(|e| format!("{e}"))
    })
}
