//! Disassembly of an object's program with its C source lines as comments.

use unwind_program::disasm::{disassemble_with_comments, Style};

use crate::ObjectProgram;

/// The program in the given style with its C source lines interleaved: `// text @ file:line`
/// before the first instruction of each source line (see [`line_comments`]) in source style (the text still
/// re-assembles to the same bytes), `; text @ file:line` in log style, as the kernel's
/// verifier log prints them. `None` when the program did not load.
pub fn disassemble(p: &ObjectProgram, style: Style) -> Option<String> {
    let program = p.program.as_ref().ok()?;
    let comments = line_comments(p);
    Some(disassemble_with_comments(
        program,
        style,
        |pc| comments.get(pc).cloned().flatten(),
        |_| None,
    ))
}

/// The `; text @ file:line` comment for each pc, as the kernel's `verbose_linfo()` prints
/// them: at the instruction a `line_info` record starts at, unless it names the same file and
/// line as the record printed before it in the same function.
pub fn line_comments(p: &ObjectProgram) -> Vec<Option<String>> {
    let Ok(program) = &p.program else {
        return Vec::new();
    };
    let mut out = vec![None; program.slots.len()];
    let mut prev: Option<(&str, u32)> = None;
    for (pc, slot) in out.iter_mut().enumerate() {
        if program.function_starting_at(pc).is_some() {
            prev = None;
        }
        let Some(l) = p.lines.get(pc).and_then(Option::as_ref) else {
            continue;
        };
        if prev == Some((l.file.as_str(), l.line)) {
            continue;
        }
        prev = Some((l.file.as_str(), l.line));
        let file = l.file.rsplit('/').next().unwrap_or(&l.file);
        *slot = Some(format!("{} @ {}:{}", l.text.trim(), file, l.line));
    }
    out
}

/// The verifier log with the program's C source lines: a `; text @ file:line` line before
/// the first log line of each instruction that starts a new source line (log lines that begin
/// `PC: (` or `PC: R`, the kernel's instruction and state lines).
pub fn annotate_log(log: &str, p: &ObjectProgram) -> String {
    let comments = line_comments(p);
    let mut out = String::with_capacity(log.len() * 2);
    let mut last_pc: Option<usize> = None;
    for line in log.split_inclusive('\n') {
        let pc = line
            .split_once(": ")
            .filter(|(_, rest)| rest.starts_with('(') || rest.starts_with('R'))
            .and_then(|(n, _)| n.parse::<usize>().ok());
        if let Some(pc) = pc {
            if last_pc != Some(pc) {
                if let Some(Some(c)) = comments.get(pc) {
                    out.push_str("; ");
                    out.push_str(c);
                    out.push('\n');
                }
            }
            last_pc = Some(pc);
        }
        out.push_str(line);
    }
    out
}

/// A stand-in for the C source of the program's main file: line N holds the text `line_info`
/// gives for line N (empty where none does), so that tools printing "the source line" of an
/// error (span lines are C lines for an object) find it.
pub fn source_text(p: &ObjectProgram) -> String {
    let main = p
        .lines
        .iter()
        .flatten()
        .next()
        .map(|l| l.file.clone())
        .unwrap_or_default();
    let mut by_line: Vec<&str> = Vec::new();
    for l in p.lines.iter().flatten().filter(|l| l.file == main) {
        let i = l.line as usize;
        if i == 0 || i > 1_000_000 {
            continue;
        }
        if by_line.len() < i {
            by_line.resize(i, "");
        }
        by_line[i - 1] = &l.text;
    }
    let mut s = by_line.join("\n");
    s.push('\n');
    s
}
