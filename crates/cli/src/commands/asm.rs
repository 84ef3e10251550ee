//! `unwind asm FILE [--json] [--syntax S]`: assemble and print the bytecode.

use serde::Serialize;
use unwind_asm::{assemble_with, Assembly, Diagnostic, Options, Syntax};
use unwind_isa::Slot;
use unwind_program::disasm::{Disassembler, Style};
use unwind_program::{Function, Program, Span};

use super::{Output, EXIT_UNUSABLE};
use crate::args::AsmArgs;
use crate::report;

/// Assembles `bytes` (the contents of `args.input`).
pub fn run(args: &AsmArgs, bytes: &[u8]) -> Output {
    let name = args.input.to_string();
    let Ok(source) = std::str::from_utf8(bytes) else {
        return Output::unusable(format_args!(
            "{name}: not UTF-8 text: expected assembly source (for raw bytecode use 'unwind disasm')"
        ));
    };
    let assembly = assemble_with(
        source,
        &Options {
            syntax: args.syntax,
        },
    );
    match (&assembly.program, assembly.diagnostics.is_empty()) {
        (Some(program), true) => {
            if args.json {
                Output::ok(to_json(&ProgramJson::new(assembly.syntax, program)))
            } else {
                Output::ok(hex_listing(program))
            }
        }
        _ => failure(&name, source, &assembly, args.json),
    }
}

/// The bytecode as hex, one slot a line, bytes separated by spaces.
pub fn hex_listing(program: &Program) -> String {
    program
        .slots
        .iter()
        .map(|slot| hex_bytes(&slot.to_bytes()) + "\n")
        .collect()
}

/// `b7 00 00 00 01 00 00 00`.
fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn failure(name: &str, source: &str, assembly: &Assembly, json: bool) -> Output {
    if assembly.diagnostics.is_empty() {
        // The assembler always explains a failure; be clear if it ever does not.
        return Output::unusable(format_args!("{name}: assembly failed without a diagnostic"));
    }
    if json {
        let doc = DiagnosticsJson {
            syntax: assembly.syntax,
            diagnostics: &assembly.diagnostics,
        };
        Output {
            stdout: to_json(&doc),
            stderr: String::new(),
            code: EXIT_UNUSABLE,
        }
    } else {
        Output {
            stdout: String::new(),
            stderr: report::render_all(name, source, &assembly.diagnostics),
            code: EXIT_UNUSABLE,
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Only plain data is serialized here (no maps with non-string keys), so this cannot
        // happen; still, report it rather than panic.
        Err(err) => format!("{{\"error\": {:?}}}\n", err.to_string()),
    }
}

/// `{"syntax", "diagnostics": [...]}`.
#[derive(Serialize)]
struct DiagnosticsJson<'a> {
    syntax: Syntax,
    /// Each with `line`, `column`, `end_column`, `kind` and the kind's own fields, `message`.
    diagnostics: &'a [Diagnostic],
}

/// The `--json` output of a successful assembly.
#[derive(Serialize)]
struct ProgramJson<'a> {
    syntax: Syntax,
    instructions: Vec<InsnJson>,
    functions: &'a [Function],
    maps: Vec<MapJson<'a>>,
    /// The kernel's program-type name from `.ctx` (`socket`, `xdp`, ...), or null.
    prog_type: Option<&'static str>,
    /// All the bytecode as one hex string, no separators.
    bytecode: String,
}

#[derive(Serialize)]
struct InsnJson {
    pc: usize,
    /// The instruction's bytes, space-separated: 8, or 16 for `ld_imm64`.
    hex: String,
    line: u32,
    column: u32,
    end_column: u32,
    text: String,
}

#[derive(Serialize)]
struct MapJson<'a> {
    name: &'a str,
    /// The kernel's map-type name (`array`, `hash`, `ringbuf`).
    map_type: &'static str,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    span: Span,
}

impl<'a> ProgramJson<'a> {
    fn new(syntax: Syntax, program: &'a Program) -> Self {
        let decoded = program.decode();
        let mut instructions = Vec::with_capacity(program.slots.len());
        let printer = Disassembler::new(program);
        for (pc, slot) in decoded.iter().enumerate() {
            if matches!(slot, Slot::Imm64Tail) {
                continue;
            }
            let width = match decoded.get(pc + 1) {
                Some(Slot::Imm64Tail) => 2,
                _ => 1,
            };
            let bytes: Vec<u8> = program
                .slots
                .iter()
                .skip(pc)
                .take(width)
                .flat_map(|s| s.to_bytes())
                .collect();
            let span = program.spans.get(pc).copied().unwrap_or_default();
            instructions.push(InsnJson {
                pc,
                hex: hex_bytes(&bytes),
                line: span.line,
                column: span.column,
                end_column: span.end_column,
                text: printer.insn(pc, Style::Source),
            });
        }
        let maps = program
            .maps
            .iter()
            .map(|m| MapJson {
                name: &m.name,
                map_type: m.map_type.name(),
                key_size: m.key_size,
                value_size: m.value_size,
                max_entries: m.max_entries,
                span: m.span,
            })
            .collect();
        ProgramJson {
            syntax,
            instructions,
            functions: &program.functions,
            maps,
            prog_type: program.prog_type.map(|p| p.name()),
            bytecode: program
                .to_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_isa::RawInsn;

    #[test]
    fn hex_listing_is_one_slot_a_line() {
        let p = Program::from_slots(vec![
            RawInsn::new(0xb7, 0, 0, 0, 1),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ]);
        assert_eq!(
            hex_listing(&p),
            "b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n"
        );
    }
}
