//! The verifier log in the kernel's format (kernel/bpf/log.c): instruction lines, the
//! registers and slots an instruction touched after `;` at the kernel's alignment, `from X to
//! Y:` lines, and the level-1 rewinding of finished branches (`pop_stack` resets the log so
//! that only the failing path remains).

use std::fmt::Write;

use crate::state::{FuncState, VerifierState};

#[derive(Clone, Debug, Default)]
pub struct Log {
    pub level: u32,
    pub buf: String,
    /// Where the last instruction line started, and its length (`prev_log_pos`,
    /// `prev_insn_print_pos`), so that the state can be appended to it.
    insn_line_end: Option<usize>,
    insn_line_len: usize,
    /// Registers touched since the last state print (`scratched_regs`).
    pub scratched_regs: u32,
    pub scratched_stack: Vec<u64>,
    /// The program's `line_info` record printed last (`env->prev_linfo`).
    pub prev_linfo: Option<usize>,
}

/// Map name, key size, value size: what `print_reg_state` shows of a map.
pub type MapInfo = Vec<(String, u32, u32)>;

impl Log {
    pub fn new(level: u32) -> Log {
        Log {
            level,
            ..Log::default()
        }
    }

    pub fn on(&self) -> bool {
        self.level > 0
    }

    pub fn line(&mut self, s: &str) {
        if self.level == 0 {
            return;
        }
        self.buf.push_str(s);
        self.buf.push('\n');
        self.insn_line_end = None;
    }

    /// A message that is always kept (errors), even at level 0.
    pub fn error(&mut self, s: &str) {
        self.buf.push_str(s);
        self.buf.push('\n');
        self.insn_line_end = None;
    }

    pub fn pos(&self) -> usize {
        self.buf.len()
    }

    pub fn reset(&mut self, pos: usize) {
        if pos <= self.buf.len() && self.buf.is_char_boundary(pos) {
            self.buf.truncate(pos);
            // The position may have been taken before a state suffix was appended to the
            // instruction line (which takes its newline back): end the line again.
            if !self.buf.is_empty() && !self.buf.ends_with('\n') {
                let kept = self.buf.trim_end_matches([' ', ';']).len();
                self.buf.truncate(kept);
                self.buf.push('\n');
            }
        }
        self.insn_line_end = None;
    }

    /// `; text @ file:line` for the source line covering `pc`, when it is not the one printed
    /// last (the kernel's `verbose_linfo(env, insn_idx, "; ")` before each instruction).
    pub fn source_line(&mut self, program: &unwind_program::Program, pc: usize) {
        if self.level == 0 {
            return;
        }
        let Some(i) = program.line_info_index(pc) else {
            return;
        };
        if self.prev_linfo != Some(i) {
            self.prev_linfo = Some(i);
            self.line(&format!("; {}", program.line_info[i].log_text()));
        }
    }

    pub fn insn(&mut self, pc: usize, text: &str) {
        if self.level == 0 {
            return;
        }
        let start = self.buf.len();
        let _ = writeln!(self.buf, "{pc}: {text}");
        self.insn_line_len = self.buf.len() - 1 - start;
        self.insn_line_end = Some(self.buf.len());
    }

    pub fn scratch_reg(&mut self, r: u8) {
        self.scratched_regs |= 1 << r;
    }

    pub fn scratch_slot(&mut self, frame: usize, spi: usize) {
        if spi < 64 {
            if self.scratched_stack.len() <= frame {
                self.scratched_stack.resize(frame + 1, 0);
            }
            self.scratched_stack[frame] |= 1 << spi;
        }
    }

    pub fn scratch_all(&mut self) {
        self.scratched_regs = u32::MAX;
        for s in &mut self.scratched_stack {
            *s = u64::MAX;
        }
        self.scratched_stack.resize(8, u64::MAX);
    }

    pub fn clean(&mut self) {
        self.scratched_regs = 0;
        for s in &mut self.scratched_stack {
            *s = 0;
        }
    }

    pub fn scratched(&self) -> bool {
        self.scratched_regs != 0 || self.scratched_stack.iter().any(|s| *s != 0)
    }

    /// `print_insn_state`: after the instruction line when nothing came in between, else on
    /// its own line prefixed with the pc.
    pub fn insn_state(&mut self, pc: usize, st: &VerifierState, maps: &MapInfo) {
        if self.level == 0 || !self.scratched() {
            return;
        }
        let text = frame_text(st, st.curframe(), maps, Some(self));
        if self.insn_line_end == Some(self.buf.len()) {
            self.buf.pop();
            let pad = vlog_alignment(self.insn_line_len);
            for _ in 0..pad {
                self.buf.push(' ');
            }
            self.buf.push(';');
        } else {
            let _ = write!(self.buf, "{pc}:");
        }
        self.buf.push_str(&text);
        self.buf.push('\n');
        self.insn_line_end = None;
        self.clean();
    }
}

/// `vlog_alignment`: pad so the `;` lands on a multiple of 8, at column 40 at least.
fn vlog_alignment(pos: usize) -> usize {
    let target = (pos + 4).max(40).div_ceil(8) * 8;
    target - pos - 1
}

/// `print_verifier_state` of one frame: every live register, or only the scratched ones.
pub fn frame_text(
    st: &VerifierState,
    frame: usize,
    maps: &MapInfo,
    scratched: Option<&Log>,
) -> String {
    let f: &FuncState = &st.frames[frame];
    let mut out = String::new();
    if f.frameno != 0 {
        let _ = write!(out, " frame{}:", f.frameno);
    }
    for (i, r) in f.regs.iter().enumerate() {
        if !r.is_init() {
            continue;
        }
        if let Some(log) = scratched {
            if log.scratched_regs & (1 << i) == 0 {
                continue;
            }
        }
        let _ = write!(out, " R{i}{}=", if r.written { "_w" } else { "" });
        r.print(&mut out, maps, f.frameno);
    }
    for (i, s) in f.stack.iter().enumerate() {
        if let Some(log) = scratched {
            let bits = log.scratched_stack.get(frame).copied().unwrap_or(0);
            if i >= 64 || bits & (1 << i) == 0 {
                continue;
            }
        }
        if !s.is_valid() {
            continue;
        }
        let off = -((i as i64) + 1) * 8;
        let w = if s.spilled.written { "_w" } else { "" };
        let _ = write!(out, " fp{off}{w}={}", s.kinds_str());
        if s.is_spill() {
            s.spilled.print(&mut out, maps, f.frameno);
        }
    }
    if let Some(first) = st.refs.first() {
        let _ = write!(out, " refs={}", first.id);
        for r in &st.refs[1..] {
            let _ = write!(out, ",{}", r.id);
        }
    }
    if f.kind == crate::state::FrameKind::Callback {
        out.push_str(" cb");
    }
    out
}
