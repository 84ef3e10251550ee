//! Arbitrary bytes as a BPF object file (seeded with the C fixtures' objects): loading gives
//! an object or an `ObjectError`, never a panic, and every program that loads disassembles
//! with its C lines and its source text builds; its source-style text (what the page edits)
//! assembles back to the same bytes and the same line info.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unwind_program::disasm::Style;

fuzz_target!(|data: &[u8]| {
    let Ok(object) = unwind_object::load(data) else {
        return;
    };
    for p in &object.programs {
        let Ok(program) = &p.program else {
            continue;
        };
        assert_eq!(program.spans.len(), program.slots.len());
        assert!(program.line_info.iter().all(|l| l.pc < program.slots.len()));
        for style in Style::ALL {
            let _ = unwind_program::disasm::disassemble(program, style);
        }
        let _ = unwind_object::source_text(program);
        let text = unwind_program::disasm::disassemble(program, Style::Source);
        // Map names are printed as they are (a world names maps by them), so one the
        // assembler cannot read as a name (a symbol mutated into `2`) has no text form yet.
        let names_ok = program.maps.iter().all(|m| {
            m.name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && m.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        });
        // The assembler reads lines of at most 4,096 characters.
        let short = program.line_info.iter().all(|l| 2 * (l.text.len() + l.file.len()) < 4000);
        let valid = program.decode().iter().all(|s| !matches!(s, unwind_isa::Slot::Invalid(_)));
        if valid && names_ok && short {
            let again = unwind_asm::assemble(&text);
            let again = again.program.unwrap_or_else(|| panic!("{:?}\n{text}", again.diagnostics));
            assert_eq!(again.slots, program.slots, "{text}");
            assert_eq!(again.line_info, program.line_info, "{text}");
        }
    }
});
