//! Printing programs back as text.

use unwind_program::Program;

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Plain pseudo-C with labels and directives; assembles back to the same bytes.
    Source,
    /// The kernel verifier log's style: `7: (15) if r0 == 0x0 goto pc+10`.
    Log,
}

/// Disassembles a whole program.
pub fn disassemble(program: &Program, style: Style) -> String {
    let _ = (program, style);
    todo!("disassembler")
}

/// One instruction at `pc`. In log style it has the `pc: (op) ` prefix; in source style it is
/// the bare instruction text, with jump and call targets printed as labels where the program
/// has them.
pub fn format_insn(program: &Program, pc: usize, style: Style) -> String {
    let _ = (program, pc, style);
    todo!("disassembler")
}
