//! `bpf_throw`: unwinding the frames and running the exception callback.
//!
//! Today's semantics are upstream's (v6.7, the `legacy` mode of SPEC §4): the throw discards
//! every frame without releasing anything, then the exception callback runs with the cookie in
//! R1 (the program's `.exception_callback`, or the default one, which returns the cookie) and
//! its R0 is the program's result. What the frames still held stays in the resource table and
//! is reported as leaked at the end.
//!
//! The walk is already the RFC's (innermost frame first, each at its pc: the throw for the
//! innermost, the call site for the others), so descriptor-based cleanup only has to fill in
//! [`Machine::cleanup_frame`].

use crate::events::EventKind;
use crate::frames::{Frame, FrameKind};
use crate::machine::Machine;

impl Machine {
    pub(crate) fn throw(&mut self, pc: usize, cookie: u64) {
        self.event(pc, EventKind::Throw { cookie });
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
            self.cleanup_frame(&frame, frame_pc);
            frame_pc = frame.call_site.unwrap_or(frame_pc);
            // Upstream restores nothing: the exception callback starts afresh.
            self.pop_frame(false);
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
                    .expect("no frame is left");
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

    /// What unwinding does to one frame before it is discarded. Upstream (legacy): nothing,
    /// so whatever the frame holds leaks. The frame-descriptor modes release here.
    fn cleanup_frame(&mut self, _frame: &Frame, _pc: usize) {}
}
