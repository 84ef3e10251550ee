//! Runtime faults: what stops a program abnormally. A fault is a value with the pc and the
//! source line where it happened; the interpreter never panics on a user program.
//!
//! Division by zero is not here on purpose: the ISA defines it (the result is 0, or dst for
//! modulo), so it is not an error.

use serde::Serialize;

/// Why a program stopped abnormally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    #[error("invalid {access} of {size} byte(s) at {addr:#x}: {region} is {region_size} bytes, offset {offset} is out of bounds")]
    OutOfBounds {
        access: Access,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        size: u32,
        /// What the address points into (`stack of frame 1`, `map value`, ...).
        region: String,
        region_size: u32,
        offset: i64,
    },
    #[error("NULL pointer dereference: {access} of {size} byte(s) at {addr:#x}")]
    NullDeref {
        access: Access,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        size: u32,
    },
    #[error("invalid {access} of {size} byte(s) at {addr:#x}: no memory is mapped there")]
    Unmapped {
        access: Access,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        size: u32,
    },
    #[error("invalid {access} of {size} byte(s) at {addr:#x}: {region} was released")]
    UseAfterRelease {
        access: Access,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        size: u32,
        region: String,
    },
    #[error("invalid write of {size} byte(s) at {addr:#x}: {region} is read-only")]
    ReadOnly {
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        size: u32,
        region: String,
    },
    #[error("invalid bpf_context access off={offset} size={size}: {reason}")]
    CtxAccess {
        offset: u32,
        size: u32,
        reason: String,
    },
    #[error("frame pointer is read only")]
    FramePointerWrite,
    #[error("jump out of range: target pc {target} is not an instruction of the program")]
    BadJump { target: i64 },
    #[error("execution ran past the last instruction without an exit")]
    FellOff,
    #[error("call stack too deep: a call at depth {depth} would exceed {max} frames")]
    CallDepth { depth: usize, max: usize },
    #[error("instruction budget of {limit} exhausted")]
    Budget {
        #[serde(serialize_with = "crate::events::u64_str")]
        limit: u64,
    },
    #[error("unknown helper #{id}{}", name.map(|n| format!(" ({n}): not modelled by the simulated kernel")).unwrap_or_default())]
    UnknownHelper { id: i64, name: Option<&'static str> },
    #[error("unknown kfunc with BTF id {btf_id}")]
    UnknownKfunc { btf_id: i32 },
    #[error("calling kernel function {function} is not allowed in {prog_type} programs")]
    NotAllowed {
        function: &'static str,
        prog_type: &'static str,
    },
    #[error("{function}: {reason}")]
    BadArgument {
        function: &'static str,
        reason: String,
    },
    /// A release of something this program released already (for a world object: a
    /// release that would take its count below the world's own references).
    #[error("{function}: double release: {reason}")]
    DoubleRelease {
        function: &'static str,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        reason: String,
    },
    /// A release of a pointer that is not a reference this program holds (never acquired, of
    /// another kind, or not at the start of what it points into).
    #[error("{function}: {reason}")]
    ReleaseNotHeld {
        function: &'static str,
        #[serde(serialize_with = "crate::events::u64_str")]
        addr: u64,
        reason: String,
    },
    #[error("invalid instruction: {reason}")]
    InvalidInsn { reason: String },
    #[error("unsupported instruction: {what}")]
    Unsupported { what: String },
    /// The exceptions unwinder could not do what the descriptors say (a frame holding a
    /// resource has no descriptor, or a named location does not hold a live resource of the
    /// named kind): what a verifier bug would cause.
    #[error("unwinding: {reason}")]
    Unwind { reason: String },
}

/// Reads and writes, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "write",
        })
    }
}

/// A fault where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("pc {pc} (line {line}): {kind}")]
pub struct Fault {
    pub pc: usize,
    /// Source line of the instruction at `pc` (0 when unknown).
    pub line: u32,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// `kind` in words (the same text as `Display` of the kind).
    pub message: String,
}

impl Fault {
    pub fn new(pc: usize, line: u32, kind: FaultKind) -> Fault {
        Fault {
            pc,
            line,
            message: kind.to_string(),
            kind,
        }
    }

    /// The kind's name in snake_case, as in JSON (`out_of_bounds`, `budget`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            FaultKind::OutOfBounds { .. } => "out_of_bounds",
            FaultKind::NullDeref { .. } => "null_deref",
            FaultKind::Unmapped { .. } => "unmapped",
            FaultKind::UseAfterRelease { .. } => "use_after_release",
            FaultKind::ReadOnly { .. } => "read_only",
            FaultKind::CtxAccess { .. } => "ctx_access",
            FaultKind::FramePointerWrite => "frame_pointer_write",
            FaultKind::BadJump { .. } => "bad_jump",
            FaultKind::FellOff => "fell_off",
            FaultKind::CallDepth { .. } => "call_depth",
            FaultKind::Budget { .. } => "budget",
            FaultKind::UnknownHelper { .. } => "unknown_helper",
            FaultKind::UnknownKfunc { .. } => "unknown_kfunc",
            FaultKind::NotAllowed { .. } => "not_allowed",
            FaultKind::BadArgument { .. } => "bad_argument",
            FaultKind::DoubleRelease { .. } => "double_release",
            FaultKind::ReleaseNotHeld { .. } => "release_not_held",
            FaultKind::InvalidInsn { .. } => "invalid_insn",
            FaultKind::Unsupported { .. } => "unsupported",
            FaultKind::Unwind { .. } => "unwind",
        }
    }
}
