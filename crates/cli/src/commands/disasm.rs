//! `unwind disasm FILE [--style S]`: bytecode (hex text or raw binary) back to pseudo-C.

use unwind_asm::{assemble_with, Options, Syntax};
use unwind_program::disasm::disassemble;
use unwind_program::Program;

use super::{Output, EXIT_UNUSABLE};
use crate::args::DisasmArgs;
use crate::report;

/// Disassembles `bytes` (the contents of `args.input`).
pub fn run(args: &DisasmArgs, bytes: &[u8]) -> Output {
    let name = args.input.to_string();
    if unwind_object::is_elf(bytes) {
        return run_object(args, &name, bytes);
    }
    let program = match load(&name, bytes) {
        Ok(program) => program,
        Err(out) => return out,
    };
    let mut text = disassemble(&program, args.style);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    Output::ok(text)
}

/// Raw bytecode is anything that is not text: not valid UTF-8, or containing a NUL byte
/// (every BPF program of more than a few instructions has zero bytes).
/// An object file's programs, each with its C source lines as comments.
fn run_object(args: &DisasmArgs, name: &str, bytes: &[u8]) -> Output {
    let object = match super::load_object(name, bytes) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let selected = match super::select_programs(name, &object, args.prog.as_deref()) {
        Ok(s) => s,
        Err(out) => return out,
    };
    let several = selected.len() > 1;
    let (mut text, mut stderr) = (String::new(), String::new());
    for p in selected {
        let comment = if args.style == unwind_program::disasm::Style::Log {
            ";"
        } else {
            "//"
        };
        if several {
            text.push_str(&format!(
                "{comment} program {} (section {})\n",
                p.name, p.section
            ));
        }
        match &p.program {
            Ok(program) => text.push_str(&unwind_program::disasm::disassemble(program, args.style)),
            Err(e) => stderr.push_str(&format!("unwind: {name}: program {}: {e}\n", p.name)),
        }
        if several {
            text.push('\n');
        }
    }
    Output {
        stdout: text,
        code: if stderr.is_empty() { 0 } else { EXIT_UNUSABLE },
        stderr,
    }
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

fn load(name: &str, bytes: &[u8]) -> Result<Program, Output> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if !is_binary(bytes) => text,
        _ => {
            return unwind_isa::slots_from_bytes(bytes)
                .map(Program::from_slots)
                .map_err(|err| Output::unusable(format_args!("{name}: invalid bytecode: {err}")));
        }
    };
    let assembly = assemble_with(
        text,
        &Options {
            syntax: Syntax::Hex,
        },
    );
    match assembly.program {
        Some(program) if assembly.diagnostics.is_empty() => Ok(program),
        _ if assembly.diagnostics.is_empty() => Err(Output::unusable(format_args!(
            "{name}: reading the bytecode failed without a diagnostic"
        ))),
        _ => Err(Output {
            stdout: String::new(),
            stderr: report::render_all(name, text, &assembly.diagnostics),
            code: EXIT_UNUSABLE,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_detection() {
        assert!(is_binary(&[0x95, 0, 0, 0, 0, 0, 0, 0]));
        assert!(is_binary(&[0xff, 0xfe]));
        assert!(!is_binary(b"95 00 00 00 00 00 00 00\n"));
        assert!(!is_binary(b""));
    }
}
