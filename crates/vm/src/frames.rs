//! Frames of bpf-to-bpf calls, and the callee-saved registers each function's prologue saves.
//!
//! As a JIT does (x86's `detect_reg_usage`, mirrored by the RFC's `callee_regs_used`), each
//! function saves on entry the callee-saved registers R6-R9 that any of its instructions names
//! in its `dst` or `src` field, and restores them on return. The set is the one the frame
//! descriptors use: `Program::callee_saved_used`. The saved values are the *caller's*, so the
//! exceptions unwinder can rebuild a caller's R6-R9 frame by frame (RFC patch 10, step 3).

use serde::Serialize;

/// The most frames at once (the kernel's `MAX_CALL_FRAMES`).
pub const MAX_FRAMES: usize = 8;

/// Stacks: one per frame, and one more for the hidden `bpf_throw` trampoline, which a throw
/// from the eighth frame enters (the kernel's limit counts the program's calls; the RFC's
/// trampoline is added after verification and uses no stack).
pub const STACK_REGIONS: usize = MAX_FRAMES + 1;

/// Per-frame budget of `may_goto` (the kernel's `BPF_MAX_LOOPS`, 8M): each function invocation
/// starts with this many, as the kernel's hidden per-frame counter does.
pub const MAY_GOTO_BUDGET: u32 = 8 * 1024 * 1024;

/// Why a frame exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FrameKind {
    /// The program's entry.
    Main,
    /// A bpf-to-bpf call (`call my_func` or `callx` on a function address).
    Call,
    /// One invocation of a `bpf_loop` callback: `index` of `count`, `ctx` its second argument.
    LoopCallback {
        index: u64,
        count: u64,
        #[serde(serialize_with = "crate::events::u64_str")]
        ctx: u64,
    },
    /// The exception callback, run after a throw discarded every frame.
    ExceptionCallback,
}

/// One activation record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// Index into the program's functions.
    pub function: usize,
    /// Depth: 0 for the main frame.
    pub depth: usize,
    pub kind: FrameKind,
    /// The pc of the call instruction in the caller (None for the main frame and the
    /// exception callback).
    pub call_site: Option<usize>,
    /// Where execution continues when this frame returns.
    pub return_pc: usize,
    /// Bit k set: the prologue saved R(6+k), so `saved[k]` holds the caller's value.
    pub saved_mask: u8,
    #[serde(serialize_with = "crate::events::u64_array_str")]
    pub saved: [u64; 4],
    /// `may_goto` iterations left in this invocation.
    pub may_goto_left: u32,
    /// The memory region of this frame's 512-byte stack.
    pub stack_region: u32,
}

impl Frame {
    /// The caller's value of R(6+k) that this frame's prologue saved.
    pub fn saved_reg(&self, k: usize) -> Option<u64> {
        (self.saved_mask & (1 << k) != 0).then(|| self.saved[k])
    }
}

/// `r6, r8` for a mask.
pub fn mask_names(mask: u8) -> Vec<String> {
    (0..4)
        .filter(|k| mask & (1 << k) != 0)
        .map(|k| format!("r{}", k + 6))
        .collect()
}

/// A bpf-to-bpf call's frame as the execution loop keeps it until it is written into
/// `Machine::frames`: what differs between two such frames (the rest is implied: kind
/// `Call`, a full `may_goto` budget, the stack region of its depth).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pending {
    pub function: usize,
    pub call_site: usize,
    pub saved_mask: u8,
    /// The caller's R6-R9, all four (a frame written out keeps only the mask's).
    pub saved: [u64; 4],
}

/// Frames the execution loop pushed and has not yet written into `Machine::frames`: a call
/// in the loop stores a few words instead of a whole [`Frame`], and a return pops them. The
/// loop writes them out (`flush`) before anything outside it can look (every way out, every
/// instruction of the slow path), so outside the loop this is always empty. The frames'
/// stack regions are mapped and unmapped at the call and the return themselves.
#[derive(Clone, Debug, Default)]
pub(crate) struct PendingFrames {
    pub len: usize,
    frames: [Pending; MAX_FRAMES],
}

impl PendingFrames {
    /// Pushes a frame; the caller has checked that the depth stays within [`MAX_FRAMES`].
    #[inline(always)]
    pub fn push(&mut self, frame: Pending) {
        self.frames[self.len] = frame;
        self.len += 1;
    }

    #[inline(always)]
    pub fn pop(&mut self) -> Option<Pending> {
        self.len = self.len.checked_sub(1)?;
        Some(self.frames[self.len])
    }

    /// Writes the pending frames, oldest first, on top of `frames`.
    pub fn flush(&mut self, frames: &mut Vec<Frame>) {
        for p in &self.frames[..self.len] {
            let depth = frames.len();
            let mut saved = [0u64; 4];
            for (k, slot) in saved.iter_mut().enumerate() {
                if p.saved_mask & (1 << k) != 0 {
                    *slot = p.saved[k];
                }
            }
            frames.push(Frame {
                function: p.function,
                depth,
                kind: FrameKind::Call,
                call_site: Some(p.call_site),
                return_pc: p.call_site + 1,
                saved_mask: p.saved_mask,
                saved,
                may_goto_left: MAY_GOTO_BUDGET,
                stack_region: 1 + depth as u32,
            });
        }
        self.len = 0;
    }
}
