//! Assembler errors as typed values, each with the line and column where it was found.

use serde::Serialize;
use std::fmt;

/// What went wrong. Every message says what was expected and what was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AsmError {
    #[error("expected {expected}, found {found}")]
    Expected { expected: String, found: String },
    #[error("unknown instruction: expected an instruction, a label or a directive, found {found}")]
    UnknownInstruction { found: String },
    #[error("invalid register {found}: expected r0..r10 or w0..w10")]
    InvalidRegister { found: String },
    #[error("register width mismatch: expected {expected}, found {found}")]
    WidthMismatch { expected: String, found: String },
    #[error("{what} {value} is out of range: expected {range}")]
    OutOfRange {
        what: String,
        value: String,
        range: String,
    },
    #[error("invalid number {found}: expected a decimal or 0x-prefixed hexadecimal integer")]
    InvalidNumber { found: String },
    #[error("undefined label {name}: expected a label defined in this file")]
    UndefinedLabel { name: String },
    #[error("label {name} is already defined on line {first_line}")]
    DuplicateLabel { name: String, first_line: u32 },
    #[error("unknown function {name}: expected a helper, a kfunc of the catalogue or a label")]
    UnknownFunction { name: String },
    #[error("unknown map {name}: expected a map declared with .map")]
    UnknownMap { name: String },
    #[error("map {name} is already declared on line {first_line}")]
    DuplicateMap { name: String, first_line: u32 },
    #[error("unknown directive {name}: expected .globl, .global, .exception_callback, .map, .ctx, .loc or .syntax")]
    UnknownDirective { name: String },
    #[error("unknown program type {name}: expected a kernel program-type name such as socket, tc, xdp, cgroup_skb, tracepoint or raw")]
    UnknownProgType { name: String },
    #[error(
        "unknown map type {name}: expected a kernel map-type name such as array, hash or ringbuf"
    )]
    UnknownMapType { name: String },
    #[error(
        "unknown argument type {found}: expected {}",
        unwind_program::names::list(unwind_program::GlobalArg::NAMES)
    )]
    UnknownArgType { found: String },
    #[error("{directive} names {name}, but no label {name} is defined")]
    DirectiveTargetMissing { directive: String, name: String },
    #[error(".loc must come before an instruction: no instruction follows it")]
    LocAtEnd,
    #[error("a second .loc for the same instruction (the first is on line {first_line}): expected one per instruction")]
    DuplicateLoc { first_line: u32 },
    #[error("the program has {count} instructions: expected at most {limit}")]
    ProgramTooLarge { count: usize, limit: usize },
    #[error("the program is empty: expected at least one instruction")]
    EmptyProgram,
    #[error("invalid bytecode: {reason}")]
    InvalidBytecode { reason: String },
}

/// An error at a place in the source. Lines and columns are 1-based; columns count characters.
/// Serialized as its place, its `kind` with the kind's own fields, and its `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    /// One past the last column of the offending text (equal to `column` when it is a point).
    pub end_column: u32,
    pub error: AsmError,
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape<'a> {
            line: u32,
            column: u32,
            end_column: u32,
            #[serde(flatten)]
            error: &'a AsmError,
            message: String,
        }
        Shape {
            line: self.line,
            column: self.column,
            end_column: self.end_column,
            error: &self.error,
            message: self.message(),
        }
        .serialize(serializer)
    }
}

impl Diagnostic {
    pub fn new(line: u32, column: u32, end_column: u32, error: AsmError) -> Self {
        Self {
            line,
            column,
            end_column: end_column.max(column),
            error,
        }
    }

    /// The message without the position.
    pub fn message(&self) -> String {
        self.error.to_string()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: {}", self.line, self.column, self.error)
    }
}

impl std::error::Error for Diagnostic {}

pub(crate) fn expected(expected: impl Into<String>, found: impl Into<String>) -> AsmError {
    AsmError::Expected {
        expected: expected.into(),
        found: found.into(),
    }
}
