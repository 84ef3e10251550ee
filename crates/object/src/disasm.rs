//! A stand-in for an object program's C source (its C lines are printed by
//! `unwind_program::disasm`, from `Program::line_info`).

use unwind_program::Program;

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
