//! The state at a step, as plain data for the CLI, the page and tests.

use serde::Serialize;
use unwind_program::disasm::{format_insn, Style};

use crate::events::u64_str;
use crate::frames::{mask_names, FrameKind};
use crate::machine::{Machine, Status, TraceLine};
use crate::resources::Resource;

/// Everything a debugger shows. `Default` is the view of no machine (nothing loaded): no
/// status, no registers, no frames.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub pc: usize,
    /// Source line of `pc`; 0 in code the source does not have (the hidden trampoline).
    pub line: u32,
    /// The instruction at `pc` in source syntax; `None` past the end.
    pub insn: Option<String>,
    /// What a throw does here: [`Unwinding::name`](unwind_stackmap::Unwinding::name).
    pub unwinding: Option<&'static str>,
    /// Instructions executed so far.
    #[serde(serialize_with = "u64_str")]
    pub instructions: u64,
    /// Updates of the run-time table so far (`runtime` mode's cost: one per acquire and
    /// release; 0 in the other modes).
    #[serde(serialize_with = "u64_str")]
    pub runtime_table_ops: u64,
    /// `state` (`running`, `exited`, `faulted`) with `return_value` or `fault`.
    #[serde(flatten)]
    pub status: Option<Status>,
    /// R0..R10 as decimal strings.
    pub registers: Vec<String>,
    /// Innermost last.
    pub frames: Vec<FrameView>,
    pub resources: Vec<Resource>,
    pub trace_output: Vec<TraceLine>,
    /// How many events the run has logged so far.
    pub event_count: usize,
    /// Events and trace lines not kept because of the configured bounds.
    pub events_dropped: u32,
    pub trace_dropped: u32,
}

/// One frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameView {
    pub depth: usize,
    pub function: String,
    pub kind: FrameKind,
    pub call_site: Option<usize>,
    pub return_pc: usize,
    /// Where this frame is now (the current pc for the innermost, else its call site's
    /// continuation is `return_pc` and it sits at the call).
    pub pc: usize,
    /// Source line of `pc` (0 in hidden code).
    pub line: u32,
    /// The pc of the frame descriptor the unwinder would use for this frame now, if any.
    pub descriptor: Option<usize>,
    /// This frame's R6..R9 as decimal strings: the live registers in the innermost frame; in a
    /// caller, the values it gets back on return (each callee's saved area put back).
    pub preserved: Vec<String>,
    /// The callee-saved registers this function's prologue saves (`r6`, `r8`, ...).
    pub callee_saved: Vec<String>,
    /// The caller's values it saved, by register name.
    pub saved: Vec<(String, String)>,
    /// The frame pointer (R10 inside this frame).
    #[serde(serialize_with = "u64_str")]
    pub frame_pointer: u64,
    /// The 512 stack bytes, lowest address first, as hex.
    pub stack: String,
    /// Per stack byte: 1 if the program wrote it in this frame, 0 if not.
    pub written: String,
}

impl Machine {
    pub fn snapshot(&self) -> Snapshot {
        let n = self.frames.len();
        let preserved = self.preserved_regs();
        let descriptors = self.config.unwinding.descriptors();
        let frames = self
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let region = &self.mem.regions[f.stack_region as usize];
                let pc = if i + 1 == n {
                    self.pc
                } else {
                    self.frames[i + 1].call_site.unwrap_or(self.pc)
                };
                FrameView {
                    depth: f.depth,
                    function: self.prep.funcs[f.function].name.clone(),
                    kind: f.kind,
                    call_site: f.call_site,
                    return_pc: f.return_pc,
                    pc,
                    line: self.line(pc),
                    descriptor: descriptors.and_then(|t| t.get(pc)).map(|d| d.pc),
                    preserved: preserved[i].iter().map(u64::to_string).collect(),
                    callee_saved: mask_names(self.prep.funcs[f.function].callee_saved),
                    saved: (0..4)
                        .filter_map(|k| {
                            f.saved_reg(k)
                                .map(|v| (format!("r{}", k + 6), v.to_string()))
                        })
                        .collect(),
                    frame_pointer: crate::memory::addr(f.stack_region, crate::memory::STACK_SIZE),
                    stack: region.data.iter().map(|b| format!("{b:02x}")).collect(),
                    written: region
                        .written
                        .iter()
                        .map(|&b| if b != 0 { '1' } else { '0' })
                        .collect(),
                }
            })
            .collect();
        Snapshot {
            pc: self.pc,
            line: self.line(self.pc),
            insn: (self.pc < self.prep.program.slots.len())
                .then(|| format_insn(&self.prep.program, self.pc, Style::Source)),
            unwinding: Some(self.config.unwinding.name()),
            instructions: self.insns,
            runtime_table_ops: self.kernel.runtime_table_ops,
            status: Some(self.status.clone()),
            registers: self.regs.iter().map(|r| r.to_string()).collect(),
            frames,
            resources: self.kernel.resources.clone(),
            trace_output: self.kernel.trace.clone(),
            event_count: self.kernel.events.len(),
            events_dropped: self.kernel.events_dropped,
            trace_dropped: self.kernel.trace_dropped,
        }
    }

    /// Each frame's R6..R9, outermost first: the innermost frame's are the live registers; a
    /// caller's are those with what each callee's prologue saved put back, as returns would.
    pub fn preserved_regs(&self) -> Vec<[u64; 4]> {
        let mut regs = [self.regs[6], self.regs[7], self.regs[8], self.regs[9]];
        let mut out = vec![[0; 4]; self.frames.len()];
        for (i, f) in self.frames.iter().enumerate().rev() {
            out[i] = regs;
            for (k, reg) in regs.iter_mut().enumerate() {
                if let Some(v) = f.saved_reg(k) {
                    *reg = v;
                }
            }
        }
        out
    }
}
