//! Arbitrary text into the assembler, in each syntax: no panic, no hang. When it assembles,
//! printing it back (source style) and assembling that gives the same bytes (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unwind_asm::{assemble_with, Options, Syntax};
use unwind_program::disasm::{disassemble, Style};

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(text) else {
        return;
    };
    let syntax = Syntax::ALL[usize::from(which) % Syntax::ALL.len()];
    let assembly = assemble_with(source, &Options { syntax });
    assert_ne!(assembly.syntax, Syntax::Auto);
    assert_eq!(assembly.program.is_some(), assembly.diagnostics.is_empty());
    for d in &assembly.diagnostics {
        let _ = d.message();
    }
    let Some(program) = assembly.program else {
        return;
    };
    for style in Style::ALL {
        let _ = disassemble(&program, style);
    }
    let text = disassemble(&program, Style::Source);
    let again = assemble_with(
        &text,
        &Options {
            syntax: Syntax::PseudoC,
        },
    );
    let Some(back) = again.program else {
        panic!(
            "the disassembly does not assemble: {:?}\n--- source ---\n{source}\n--- disassembly ---\n{text}",
            again.diagnostics.iter().map(|d| d.message()).collect::<Vec<_>>()
        );
    };
    assert_eq!(
        back.slots, program.slots,
        "disassemble → assemble changed the bytes\n--- source ---\n{source}\n--- disassembly ---\n{text}"
    );
});
