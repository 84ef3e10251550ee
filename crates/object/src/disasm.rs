//! Disassembly of an object's program with its C source lines as comments, and a stand-in for
//! its C source.

use unwind_program::disasm::{disassemble_with_comments, Style};
use unwind_program::Program;

/// The program in the given style with its C source lines interleaved: `// text @ file:line`
/// before the first instruction of each source line (see [`line_comments`]) in source style
/// (the text still re-assembles to the same bytes), `; text @ file:line` in log style, as the
/// kernel's verifier log prints them.
pub fn disassemble(program: &Program, style: Style) -> String {
    let comments = line_comments(program);
    disassemble_with_comments(
        program,
        style,
        |pc| comments.get(pc).cloned().flatten(),
        |_| None,
    )
}

/// The `text @ file:line` comment for each pc: at the instruction a `line_info` record starts
/// at, unless it names the same file and line as the record before it in the same function
/// (clang often splits one line into several records; the verifier log, as the kernel's,
/// prints each record).
pub fn line_comments(program: &Program) -> Vec<Option<String>> {
    let mut out = vec![None; program.slots.len()];
    let mut prev: Option<(&str, u32)> = None;
    let mut records = program.line_info.iter().peekable();
    for (pc, slot) in out.iter_mut().enumerate() {
        if program.function_starting_at(pc).is_some() {
            prev = None;
        }
        while records.peek().is_some_and(|l| l.pc < pc) {
            records.next();
        }
        let Some(l) = records.peek().filter(|l| l.pc == pc) else {
            continue;
        };
        if prev == Some((l.file.as_str(), l.line)) {
            continue;
        }
        prev = Some((l.file.as_str(), l.line));
        *slot = Some(l.log_text());
    }
    out
}

/// A stand-in for the C source of the program's main file (the file of its first record):
/// line N holds the text `line_info` gives for line N (empty where none does), so that tools
/// printing "the source line" of an error (an object's spans are C lines) find it.
pub fn source_text(program: &Program) -> String {
    let Some(main) = program.line_info.first().map(|l| l.file.as_str()) else {
        return String::new();
    };
    let mut by_line: Vec<&str> = Vec::new();
    for l in program.line_info.iter().filter(|l| l.file == main) {
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

/// The main file's name without its folders (`prog.c`), if the program has line info.
pub fn main_file(program: &Program) -> Option<&str> {
    let f = &program.line_info.first()?.file;
    Some(f.rsplit('/').next().unwrap_or(f))
}
