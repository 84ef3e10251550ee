//! The verdict as data: what the CLI prints as JSON and the page shows.

use serde::Serialize;

/// One error: where, and the kernel's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyError {
    pub pc: usize,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// What the verifier learned about one function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionFacts {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub linkage: unwind_program::Linkage,
    /// Bytes of stack the function uses.
    pub stack_depth: usize,
    /// Callee-saved registers it writes (`r6`..`r9`).
    pub callee_saved: Vec<String>,
    pub is_exception_callback: bool,
    /// It, or a function it calls, contains `bpf_throw` (the pre-pass).
    pub might_throw: bool,
}

/// The abstract states seen at one pc (a few, as the log prints them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PcState {
    pub pc: usize,
    pub states: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub insns_processed: u64,
    pub max_states_per_insn: usize,
    pub total_states: usize,
    pub peak_states: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub accepted: bool,
    pub errors: Vec<VerifyError>,
    pub log: String,
    pub states: Vec<PcState>,
    pub functions: Vec<FunctionFacts>,
    pub stats: Stats,
    /// The frame descriptors (cleanup modes) as SPEC §6 prints them: one per pc through
    /// which an exception can unwind.
    pub frame_descriptors: Vec<FrameDescriptor>,
    /// The same descriptors as the interpreter's unwinder reads them, with merge history.
    #[serde(skip)]
    pub desc_table: unwind_stackmap::DescTable,
}

/// One frame descriptor: `{"pc", "function", "slots": [{"location": "fp-8" | "r6", "type"}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameDescriptor {
    pub pc: usize,
    pub function: String,
    /// Locations holding a releasable resource, in release order.
    pub slots: Vec<DescriptorSlot>,
    /// How many paths contributed to the merge.
    pub paths: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DescriptorSlot {
    pub location: String,
    /// The resource type (`object`, `socket`, `ringbuf_record`, ...).
    #[serde(rename = "type")]
    pub resource: String,
    /// The release function the unwinder calls.
    pub release: String,
}

impl FrameDescriptor {
    pub fn from_desc(d: &unwind_stackmap::FrameDesc, program: &unwind_program::Program) -> Self {
        FrameDescriptor {
            pc: d.pc,
            function: program
                .functions
                .get(d.function)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            slots: d
                .releases()
                .map(|(location, kind)| DescriptorSlot {
                    location: location.to_string(),
                    resource: kind.name().to_string(),
                    release: kind.release_function().to_string(),
                })
                .collect(),
            paths: d.history.len(),
        }
    }
}
