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

impl FunctionFacts {
    /// The facts of `f` in `program`, with what verification found.
    pub fn of(
        program: &unwind_program::Program,
        f: &unwind_program::Function,
        stack_depth: usize,
        might_throw: bool,
    ) -> FunctionFacts {
        // The registers its prologue saves: the ones it mentions (RFC patch 08, the
        // definition the interpreter's frames use too).
        let used = program.callee_saved_used(f);
        FunctionFacts {
            name: f.name.clone(),
            start: f.start,
            end: f.end,
            linkage: f.linkage,
            stack_depth,
            callee_saved: (0..4)
                .filter(|r| used[*r])
                .map(|r| format!("r{}", r + 6))
                .collect(),
            is_exception_callback: f.is_exception_callback,
            might_throw,
        }
    }
}

/// The abstract states seen at one pc (a few, as the log prints them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PcState {
    pub pc: usize,
    pub states: Vec<String>,
    /// For each of `states`, the pcs the paths in that state came from: the instruction
    /// before `pc` on each (a jump, a fall-through, a call or an exit; empty at the entry).
    pub origins: Vec<Vec<usize>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub insns_processed: u64,
    pub max_states_per_insn: usize,
    pub total_states: usize,
    pub peak_states: usize,
}

/// What verification found. `Default` is the empty verdict of a program that was not verified
/// (it did not assemble): rejected, with nothing in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
    /// `cleanup-v2`: the rewritten program the descriptors (and every pc above) refer to,
    /// when a conflict had to be resolved; `None` when the program needed no rewrite.
    pub rewrite: Option<Rewrite>,
    /// The cleanup modes, when the program throws and is accepted: the program as loaded.
    pub loaded: Option<Loaded>,
}

/// The program the kernel would run (cleanup modes): cleanup-v2's rewrite, with every
/// `bpf_throw` routed through the hidden trampoline (RFC patch 07), whose prologue saves
/// R6-R9 for the unwinder. Its pcs are the ones `unwind run` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Loaded {
    /// The hidden trampoline's facts, pcs in the loaded program.
    pub trampoline: FunctionFacts,
    pub disassembly: String,
}

/// cleanup-v2's rewrite: each conflicting acquisition site got its own stack slot, zeroed
/// at function entry, written right after the acquisition and cleared right after the
/// releases of that site's resource in the same function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rewrite {
    pub dedicated: Vec<DedicatedSlot>,
    /// The rewritten program in source syntax.
    pub disassembly: String,
    /// The new pc of every original pc (one more entry: the end).
    pub pc_map: Vec<usize>,
    /// The rewritten program itself.
    #[serde(skip)]
    pub program: unwind_program::Program,
}

/// One conflicting acquisition site and the stack slot it was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DedicatedSlot {
    /// The acquiring call, in the original program.
    pub acquire_pc: usize,
    pub line: u32,
    /// The acquiring function (the kfunc or helper).
    pub acquired_by: String,
    /// The function whose frame holds the slot.
    pub function: String,
    /// The slot, as `fp-N`.
    pub slot: String,
    /// Original pcs of the release calls after which the slot is cleared.
    pub cleared_after: Vec<usize>,
}

/// One frame descriptor: `{"pc", "function", "slots": [{"location": "fp-8" | "r6", "type"}]}`,
/// with its merge history. The one view of a descriptor: the CLI's JSON, the JS API's verdict
/// and its debugger all print this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameDescriptor {
    pub pc: usize,
    pub function: String,
    /// Locations holding a releasable resource, in release order.
    pub slots: Vec<DescriptorSlot>,
    /// How many paths contributed to the merge.
    pub paths: usize,
    /// Every path that contributed, in merge order.
    pub history: Vec<PathContribution>,
}

/// What one verifier path contributed to a frame descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathContribution {
    /// The verifier's name for the path, e.g. "path through 7".
    pub path: String,
    /// Frame number on that path (0 = main).
    pub frame: u32,
    pub entries: Vec<DescriptorEntry>,
}

/// One location on one path: a resource, NULL, or a marker that cannot merge with one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DescriptorEntry {
    /// `fp-8`, `r6`.
    pub location: String,
    /// A resource type (`object`, `socket`, ...), `null`, or why it cannot merge with one
    /// (`misc`, `uninit`, `non_zero_scalar`, `copy`, `interior`).
    pub content: String,
    /// The verifier's reference id, for a resource.
    pub ref_obj_id: Option<u32>,
    /// The kernel's register type name (`ptr_obj`, `scalar`, `?`), as the log prints it.
    pub kernel_type: &'static str,
}

impl DescriptorEntry {
    fn of(e: &unwind_stackmap::Entry) -> DescriptorEntry {
        use unwind_stackmap::Content;
        let (content, ref_obj_id) = match e.content {
            Content::Resource {
                resource,
                ref_obj_id,
                ..
            } => (resource.name().to_string(), Some(ref_obj_id)),
            Content::Null => ("null".to_string(), None),
            Content::Unmergeable { why } => (why.name().to_string(), None),
        };
        DescriptorEntry {
            location: e.location.to_string(),
            content,
            ref_obj_id,
            kernel_type: e.content.type_name(),
        }
    }
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
            history: d
                .history
                .iter()
                .map(|o| PathContribution {
                    path: o.path.clone(),
                    frame: o.frame,
                    entries: o.entries.iter().map(DescriptorEntry::of).collect(),
                })
                .collect(),
        }
    }
}

/// The kernel's range for a log buffer's size (`bpf_verifier_log_attr_valid`): smaller or
/// larger is `EINVAL`.
pub const MIN_LOG_SIZE: u32 = 128;
pub const MAX_LOG_SIZE: u32 = u32::MAX >> 2;

impl Verdict {
    /// The kernel's log buffer of `size` bytes (`bpf_attr.log_size`; `bpf_vlog_finalize`,
    /// rotating mode, the default since 6.4): a log that needs more (its text and a NUL) keeps
    /// its last `size - 1` bytes, and the load fails with `ENOSPC` whatever the verifier
    /// decided: not accepted, one more error (after the verifier's, at pc 0) saying how many
    /// bytes the log needed. `spans` are the program's, for that error's place.
    pub fn fit_log(&mut self, size: usize, spans: &[unwind_program::Span]) {
        let needed = self.log.len() + 1;
        if needed <= size {
            return;
        }
        let mut start = self.log.len() - size.saturating_sub(1);
        while !self.log.is_char_boundary(start) {
            start += 1;
        }
        self.log.replace_range(..start, "");
        let span = spans.first().copied().unwrap_or_default();
        self.accepted = false;
        self.errors.push(VerifyError {
            pc: 0,
            line: span.line,
            column: span.column,
            message: format!(
                "the log needs {needed} bytes, more than the log size of {size} (ENOSPC): only its end is kept"
            ),
        });
    }
}
