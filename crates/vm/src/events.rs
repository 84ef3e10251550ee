//! The run's event log: one entry per acquire, release, call, return, throw, frame unwound,
//! registers restored, exception callback, exit, leak and fault (SPEC §6's vocabulary).

use serde::{Serialize, Serializer};

use crate::resources::ResourceRef;

/// Who released a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleasedBy {
    /// The program called the release function.
    Program,
    /// The exceptions unwinder, from a frame descriptor.
    Unwinder,
    /// The runtime table of the `runtime` mode.
    RuntimeTable,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Acquire {
        function: &'static str,
        resource: ResourceRef,
    },
    Release {
        function: &'static str,
        resource: ResourceRef,
        by: ReleasedBy,
        /// For a release by the unwinder: the frame it was found in and where (`fp-8`, `r6`).
        #[serde(skip_serializing_if = "Option::is_none")]
        depth: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// A bpf-to-bpf call, or a callback invocation (`bpf_loop`).
    Call {
        function: String,
        depth: usize,
    },
    Return {
        function: String,
        depth: usize,
        #[serde(serialize_with = "u64_str")]
        value: u64,
    },
    Throw {
        #[serde(serialize_with = "u64_str")]
        cookie: u64,
    },
    /// A frame discarded by a throw (pc: where that frame was: the throw, or its call site).
    UnwindFrame {
        function: String,
        depth: usize,
    },
    /// Callee-saved registers put back from a frame's saved area during unwinding.
    RestoreRegs {
        depth: usize,
        registers: Vec<String>,
        /// The values put back, one per register (the caller's R6-R9 that frame saved).
        #[serde(serialize_with = "u64_vec_str")]
        values: Vec<u64>,
    },
    ExceptionCallback {
        /// The callback's name, or `default` (returns the cookie).
        function: String,
        #[serde(serialize_with = "u64_str")]
        cookie: u64,
    },
    Exit {
        #[serde(serialize_with = "u64_str")]
        return_value: u64,
    },
    /// A resource still held when the program ended.
    Leak {
        resource: ResourceRef,
    },
    Fault {
        message: String,
    },
}

/// One event, at the pc of the instruction that caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub pc: usize,
    /// Instructions executed before it.
    #[serde(serialize_with = "u64_str")]
    pub step: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// The kind's name (`acquire`, `unwind_frame`, ...).
    pub fn name(&self) -> &'static str {
        match self.kind {
            EventKind::Acquire { .. } => "acquire",
            EventKind::Release { .. } => "release",
            EventKind::Call { .. } => "call",
            EventKind::Return { .. } => "return",
            EventKind::Throw { .. } => "throw",
            EventKind::UnwindFrame { .. } => "unwind_frame",
            EventKind::RestoreRegs { .. } => "restore_regs",
            EventKind::ExceptionCallback { .. } => "exception_callback",
            EventKind::Exit { .. } => "exit",
            EventKind::Leak { .. } => "leak",
            EventKind::Fault { .. } => "fault",
        }
    }

    /// One line for humans: `pc 3: acquire object#1 (bpf_obj_new)`.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            EventKind::Acquire { function, resource } => {
                format!(
                    "acquire {} by {function}{}",
                    resource.label(),
                    count(resource)
                )
            }
            EventKind::Release {
                function,
                resource,
                by,
                depth,
                location,
            } => format!(
                "release {} by {function} ({}{}){}",
                resource.label(),
                match by {
                    ReleasedBy::Program => "program",
                    ReleasedBy::Unwinder => "unwinder",
                    ReleasedBy::RuntimeTable => "runtime table",
                },
                match (depth, location) {
                    (Some(d), Some(l)) => format!(", {l} of frame {d}"),
                    _ => String::new(),
                },
                count(resource)
            ),
            EventKind::Call { function, depth } => format!("call {function} (frame {depth})"),
            EventKind::Return {
                function,
                depth,
                value,
            } => format!("return from {function} (frame {depth}) with {value}"),
            EventKind::Throw { cookie } => format!("throw, cookie {cookie}"),
            EventKind::UnwindFrame { function, depth } => {
                format!("unwind frame {depth} ({function})")
            }
            EventKind::RestoreRegs {
                depth,
                registers,
                values,
            } => {
                let regs: Vec<String> = registers
                    .iter()
                    .zip(values)
                    .map(|(r, v)| format!("{r} = {v:#x}"))
                    .collect();
                format!("restore {} from frame {depth}", regs.join(", "))
            }
            EventKind::ExceptionCallback { function, cookie } => {
                format!("exception callback {function} with cookie {cookie}")
            }
            EventKind::Exit { return_value } => format!("exit, r0 = {return_value}"),
            EventKind::Leak { resource } => format!(
                "leak {} acquired at pc {} in frame {}{}",
                resource.label(),
                resource.acquired_pc,
                resource.frame,
                match resource.refcount {
                    Some(n) => format!(
                        ", count {n} (the world holds {})",
                        crate::resources::KernelObject::WORLD_REFS
                    ),
                    None => String::new(),
                }
            ),
            EventKind::Fault { message } => format!("fault: {message}"),
        };
        format!("pc {}: {what}", self.pc)
    }
}

/// `, count 3` for a world object's reference count (nothing for other resources).
fn count(resource: &ResourceRef) -> String {
    resource
        .refcount
        .map(|n| format!(", count {n}"))
        .unwrap_or_default()
}

/// Serializes a u64 as a decimal string (JSON numbers lose precision above 2^53).
pub fn u64_str<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub fn u64_array_str<S: Serializer>(v: &[u64; 4], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| x.to_string()))
}

pub fn u64_vec_str<S: Serializer>(v: &[u64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| x.to_string()))
}
