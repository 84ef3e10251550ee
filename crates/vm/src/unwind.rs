//! `bpf_throw`: unwinding the frames and running the exception callback.
//!
//! The walk is the RFC's (reference §4.7, patch 10's `bpf_stack_walker` calling
//! `arch_bpf_cleanup_frame_resource` for every BPF frame): innermost frame first, each at its
//! pc (the throwing call in the innermost frame, the call site of the next frame in the
//! others), one `unwind_frame` event per frame. What happens to a frame depends on
//! [`Config::unwinding`](crate::Config):
//!
//! - [`Unwinding::DiscardFrames`] (upstream v6.7): nothing is released; what the frames held stays in
//!   the resource table and is reported as leaked at the end.
//! - [`Unwinding::Descriptors`]: per frame, (1) the descriptor of the frame's pc names stack
//!   slots and callee-saved registers; every live resource there is released with its kind's
//!   release function (stack slots from fp-8 downwards, then R6-R9 from the `saved_reg`
//!   array; NULL skipped), (2) a released register entry clears `saved_reg[k]`, (3) for a
//!   subprogram, `saved_reg[k]` is reloaded from what this frame's prologue saved (the
//!   caller's R6-R9) for each callee-saved register the function uses. The hidden trampoline
//!   (`bpf_throw_tramp`) has no descriptor: it goes straight to (3), which is how the
//!   thrower's own R6-R9 reach `saved_reg`. A frame without a descriptor that holds a live
//!   resource, or a descriptor naming something that is not a live resource of its kind, is a
//!   fault (`unwind`), never a panic.
//! - [`Unwinding::RuntimeTable`] (the `runtime` mode): no descriptors; after the walk, what
//!   the run-time table holds is released, newest first.
//!
//! Then the exception callback runs with the cookie in R1 (the program's
//! `.exception_callback`, in a fresh frame, or the default one, which returns the cookie) and
//! its R0 is the program's result.

use unwind_program::Linkage;
use unwind_stackmap::{DescTable, Location};

use crate::events::{EventKind, ReleasedBy};
use crate::fault::FaultKind;
use crate::frames::{mask_names, Frame, FrameKind};
use crate::machine::{frame_must_fit, Machine, Unwinding};
use crate::memory::{addr, STACK_SIZE};
use crate::resources::Held;

impl Machine {
    pub(crate) fn throw(&mut self, pc: usize, cookie: u64) {
        self.event(pc, EventKind::Throw { cookie });
        let unwinding = self.config.unwinding.clone();
        // The RFC's `bpf_throw_ctx.saved_reg`: R6-R9 as known at the frame being unwound,
        // filled in frame by frame from the saved areas. Zero at the start: the trampoline
        // zeroed R6-R9 before calling bpf_throw.
        let mut saved_reg = [0u64; 4];
        let mut frame_pc = pc;
        while let Some(frame) = self.frames.last().copied() {
            let function = self.prep.funcs[frame.function].name.clone();
            self.event(
                frame_pc,
                EventKind::UnwindFrame {
                    function,
                    depth: frame.depth,
                },
            );
            if let Unwinding::Descriptors(table) = &unwinding {
                if let Err(kind) = self.cleanup_frame(table, &frame, frame_pc, &mut saved_reg) {
                    self.fault(frame_pc, kind);
                    return;
                }
            }
            frame_pc = frame.call_site.unwrap_or(frame_pc);
            // The caller's registers are not put back: the exception callback starts afresh.
            self.pop_frame(false);
        }
        if matches!(unwinding, Unwinding::RuntimeTable) {
            self.release_runtime_table(pc);
        }
        match self.prep.program.exception_callback().map(|f| f.start) {
            Some(start) => {
                let function = self.prep.func_index(start);
                let name = self.prep.funcs[function].name.clone();
                self.event(
                    pc,
                    EventKind::ExceptionCallback {
                        function: name,
                        cookie,
                    },
                );
                self.push_frame(function, FrameKind::ExceptionCallback, None, 0)
                    .unwrap_or_else(|e| frame_must_fit("no frame is left", e));
                self.regs[1] = cookie;
                self.pc = start;
            }
            None => {
                self.event(
                    pc,
                    EventKind::ExceptionCallback {
                        function: "default".into(),
                        cookie,
                    },
                );
                self.finish(pc, cookie);
            }
        }
    }

    /// Reference §4.7's steps (1)-(3) for one frame at `pc`.
    fn cleanup_frame(
        &mut self,
        table: &DescTable,
        frame: &Frame,
        pc: usize,
        saved_reg: &mut [u64; 4],
    ) -> Result<(), FaultKind> {
        let hidden = self
            .prep
            .program
            .functions
            .get(frame.function)
            .is_some_and(|f| f.linkage == Linkage::Hidden);
        if !hidden {
            match table.get(pc) {
                Some(desc) => {
                    // (1) and (2): stack slots from fp-8 downwards, then R6-R9.
                    let releases: Vec<_> = desc.releases().collect();
                    for (location, kind) in releases {
                        let value = match location {
                            Location::Stack(off) => self.frame_slot(frame, off)?,
                            Location::Reg(r) => saved_reg[callee_saved_index(r)?],
                        };
                        if value != 0 {
                            let index = self
                                .kernel
                                .resources
                                .iter()
                                .position(|r| r.held == Held::Resource(kind) && r.addr == value)
                                .ok_or_else(|| FaultKind::Unwind {
                                    reason: format!(
                                        "the frame descriptor for pc {pc} names {location} of frame {} ({}) as {} {}, \
                                         but it holds {value:#x}, not a live one",
                                        frame.depth,
                                        self.prep.funcs[frame.function].name,
                                        article(kind.name()),
                                        kind.name(),
                                    ),
                                })?;
                            self.remove_resource_at(
                                pc,
                                kind.release_function(),
                                index,
                                ReleasedBy::Unwinder,
                                Some((frame.depth, location.to_string())),
                            );
                        }
                        if let Location::Reg(r) = location {
                            saved_reg[callee_saved_index(r)?] = 0;
                        }
                    }
                }
                None => {
                    // The kernel WARNs and skips the frame; here that is a fault when the frame
                    // holds something the missing descriptor would have had to name.
                    if let Some(held) = self.held_in_frame(frame, saved_reg) {
                        return Err(FaultKind::Unwind {
                            reason: format!(
                                "no frame descriptor for pc {pc} (frame {}, {}), which holds {held}",
                                frame.depth, self.prep.funcs[frame.function].name
                            ),
                        });
                    }
                }
            }
        }
        // (3): a subprogram's prologue saved its caller's R6-R9 that it uses.
        if frame.kind != FrameKind::Main && frame.saved_mask != 0 {
            let mut values = Vec::with_capacity(4);
            for (k, slot) in saved_reg.iter_mut().enumerate() {
                if let Some(v) = frame.saved_reg(k) {
                    *slot = v;
                    values.push(v);
                }
            }
            self.event(
                pc,
                EventKind::RestoreRegs {
                    depth: frame.depth,
                    registers: mask_names(frame.saved_mask),
                    values,
                },
            );
        }
        Ok(())
    }

    /// The 8 bytes at `fp + off` of a frame.
    fn frame_slot(&self, frame: &Frame, off: i16) -> Result<u64, FaultKind> {
        if off >= 0 || off % 8 != 0 || -(off as i32) > STACK_SIZE as i32 {
            return Err(FaultKind::Unwind {
                reason: format!("fp{off} is not an 8-byte stack slot"),
            });
        }
        let a = addr(frame.stack_region, STACK_SIZE).wrapping_add(off as i64 as u64);
        self.mem.read(a, 8)
    }

    /// A live releasable resource whose pointer is in one of the frame's stack slots or in
    /// `saved_reg` (the frame's R6-R9), described as `object#2 in fp-8`.
    fn held_in_frame(&self, frame: &Frame, saved_reg: &[u64; 4]) -> Option<String> {
        let live = |v: u64| {
            (v != 0)
                .then(|| {
                    self.kernel
                        .resources
                        .iter()
                        .find(|r| matches!(r.held, Held::Resource(_)) && r.addr == v)
                })
                .flatten()
        };
        for off in (1..=(STACK_SIZE as i16 / 8)).map(|i| -8 * i) {
            if let Some(r) = self.frame_slot(frame, off).ok().and_then(live) {
                return Some(format!("{} in fp{off}", r.as_ref().label()));
            }
        }
        for (k, &v) in saved_reg.iter().enumerate() {
            if let Some(r) = live(v) {
                return Some(format!("{} in r{}", r.as_ref().label(), k + 6));
            }
        }
        None
    }

    /// The `runtime` mode at a throw: releases what the run-time table holds, newest first.
    fn release_runtime_table(&mut self, pc: usize) {
        while let Some(&id) = self.kernel.runtime_table.last() {
            self.kernel.runtime_table.pop();
            self.kernel.runtime_table_ops += 1;
            if let Some(i) = self.kernel.resources.iter().position(|r| r.id == id) {
                let Held::Resource(kind) = self.kernel.resources[i].held else {
                    continue;
                };
                self.remove_resource(pc, kind.release_function(), i, ReleasedBy::RuntimeTable);
            }
        }
    }
}

/// `saved_reg`'s index of R6-R9.
fn callee_saved_index(r: u8) -> Result<usize, FaultKind> {
    match r {
        6..=9 => Ok((r - 6) as usize),
        _ => Err(FaultKind::Unwind {
            reason: format!("r{r} is not a callee-saved register (R6-R9)"),
        }),
    }
}

fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}
