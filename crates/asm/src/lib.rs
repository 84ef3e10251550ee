//! The assembler and the disassembler.
//!
//! [`assemble`] turns source text into a [`Program`]: the LLVM/kernel pseudo-C syntax (also
//! lines pasted from a kernel verifier log), the uBPF dialect of the BPF conformance suite, or
//! raw bytecode in hex. All errors of a file are reported, each with line and column; no input
//! makes it panic or hang. [`disasm`] prints a program back, in source style (re-assembles to
//! the same bytes) or in the kernel log's style.

mod diagnostic;
pub mod disasm;

pub use diagnostic::{AsmError, Diagnostic};
pub use unwind_program::Program;

use serde::Serialize;

/// The most slots a program may have (the kernel's `BPF_COMPLEXITY_LIMIT_INSNS`, which also
/// bounds a privileged program's length).
pub const MAX_SLOTS: usize = 1_000_000;

/// Which input syntax a file is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// Detect from the text (the default).
    #[default]
    Auto,
    /// LLVM/kernel pseudo-C (`r0 = 1`, `if r1 > 5 goto l`).
    PseudoC,
    /// uBPF/rbpf (`mov %r0, 1`, `jne %r0, 15, fail`).
    Ubpf,
    /// Raw bytecode: hex, 8 bytes per instruction.
    Hex,
}

/// Options of [`assemble_with`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub syntax: Syntax,
}

/// The result of assembling: a program when there were no errors, and every diagnostic.
#[derive(Clone, Debug)]
pub struct Assembly {
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax used (never `Auto`).
    pub syntax: Syntax,
}

/// Assembles with syntax detection.
pub fn assemble(source: &str) -> Assembly {
    assemble_with(source, &Options::default())
}

/// Assembles with the given options.
pub fn assemble_with(source: &str, options: &Options) -> Assembly {
    let _ = (source, options);
    todo!("assembler")
}
