//! Disassembly of an object's program with its C source lines as comments.

use unwind_program::disasm::{disassemble_with_comments, Style};

use crate::ObjectProgram;

/// The program in the given style with its C source lines interleaved: `// text  @ file:line`
/// before the instructions of each `line_info` record in source style (the text still
/// re-assembles to the same bytes), `; text @ file:line` in log style, as the kernel's
/// verifier log prints them. `None` when the program did not load.
pub fn disassemble(p: &ObjectProgram, style: Style) -> Option<String> {
    let program = p.program.as_ref().ok()?;
    Some(disassemble_with_comments(
        program,
        style,
        |pc| {
            let l = p.lines.get(pc)?.as_ref()?;
            let file = l.file.rsplit('/').next().unwrap_or(&l.file);
            Some(format!("{} @ {}:{}", l.text.trim(), file, l.line))
        },
        |_| None,
    ))
}
