//! A source assembled into the views the page shows: one row per instruction with its bytes
//! and source place, both disassembly styles, the functions and the maps.

use serde::{Deserialize, Serialize};
use unwind_asm::{Assembly, Diagnostic, Syntax};
use unwind_isa::{RawInsn, Slot};
use unwind_program::disasm::{self, Style};
use unwind_program::{Function, Linkage, MapDef, Program};

/// Options as JS passes them: `{ syntax? }`. Unknown fields are misuse.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssembleOptions {
    #[serde(default)]
    pub syntax: Option<String>,
}

/// What `assemble` returns. User errors are in `diagnostics`; `ok` is true when a program was
/// produced (then the program views are filled, else they are empty).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AssemblyView {
    pub ok: bool,
    /// The syntax used (never `auto`).
    pub syntax: Syntax,
    pub diagnostics: Vec<Diagnostic>,
    /// One entry per instruction (an `ld_imm64` is one entry covering two slots).
    pub instructions: Vec<InstructionView>,
    /// Number of 8-byte slots (pcs).
    pub slot_count: usize,
    /// The whole bytecode: one slot per line, bytes in hex separated by spaces.
    pub bytecode_hex: String,
    /// The program in source style (pseudo-C that re-assembles to the same bytes).
    pub disassembly: String,
    /// The program in the kernel verifier log's style.
    pub log: String,
    pub functions: Vec<FunctionView>,
    pub maps: Vec<MapView>,
    /// From `.ctx`, by its canonical name; `None` when the source does not say.
    pub prog_type: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InstructionView {
    pub pc: usize,
    /// 8 bytes (16 for an `ld_imm64`) in hex, separated by spaces, as `llvm-objdump` prints.
    pub hex: String,
    /// The source span the instruction came from.
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
    /// Source-style disassembly (`r1 = 0`).
    pub source: String,
    /// Kernel-log-style disassembly (`0: (b7) r1 = 0`).
    pub log: String,
    /// The C source line (a `.loc` record, `text @ file:line`) starting at this instruction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c_line: Option<String>,
}

/// A function, with the source line of its first instruction (0 when there is none).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FunctionView {
    pub name: String,
    pub start: usize,
    pub end: usize,
    pub linkage: Linkage,
    /// Declared arguments of a global function by name (`scalar`, `ctx`, `mem:N`), as
    /// `.globl` writes them.
    pub args: Vec<String>,
    pub returns_void: bool,
    pub is_exception_callback: bool,
    pub line: u32,
}

impl FunctionView {
    fn of(f: &Function, program: &Program) -> FunctionView {
        FunctionView {
            name: f.name.clone(),
            start: f.start,
            end: f.end,
            linkage: f.linkage,
            args: f.args.iter().map(ToString::to_string).collect(),
            returns_void: f.returns_void,
            is_exception_callback: f.is_exception_callback,
            line: program.spans.get(f.start).map_or(0, |s| s.line),
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MapView {
    pub name: String,
    #[serde(rename = "type")]
    pub map_type: &'static str,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub line: u32,
}

/// Assembles `source`; `Err` only for misuse (an unknown syntax name).
pub fn assemble(source: &str, options: &AssembleOptions) -> Result<AssemblyView, String> {
    let syntax = crate::syntax_option(options.syntax.as_deref())?;
    let options = unwind_asm::Options { syntax };
    Ok(AssemblyView::of(&unwind_asm::assemble_with(
        source, &options,
    )))
}

impl AssemblyView {
    pub fn of(assembly: &Assembly) -> AssemblyView {
        let mut view = AssemblyView {
            ok: assembly.program.is_some(),
            syntax: assembly.syntax,
            diagnostics: assembly.diagnostics.clone(),
            instructions: Vec::new(),
            slot_count: 0,
            bytecode_hex: String::new(),
            disassembly: String::new(),
            log: String::new(),
            functions: Vec::new(),
            maps: Vec::new(),
            prog_type: None,
        };
        if let Some(program) = &assembly.program {
            view.instructions = instruction_views(program);
            view.slot_count = program.slots.len();
            view.bytecode_hex = bytecode_hex(&program.slots);
            view.disassembly = disasm::disassemble(program, Style::Source);
            view.log = disasm::disassemble(program, Style::Log);
            view.functions = program
                .functions
                .iter()
                .map(|f| FunctionView::of(f, program))
                .collect();
            view.maps = program.maps.iter().map(map_view).collect();
            view.prog_type = program.prog_type.map(|t| t.name());
        }
        view
    }
}

/// One view per instruction; the second slot of an `ld_imm64` joins the first. An undecodable
/// slot is its own entry (the disassembler says what it is).
pub fn instruction_views(program: &Program) -> Vec<InstructionView> {
    let decoded = program.decode();
    let printer = disasm::Disassembler::new(program);
    let mut views = Vec::with_capacity(decoded.len());
    let mut records = program.line_info.iter().peekable();
    for (pc, slot) in decoded.iter().enumerate() {
        let width = match slot {
            Slot::Imm64Tail => continue,
            Slot::Insn(_) if matches!(decoded.get(pc + 1), Some(Slot::Imm64Tail)) => 2,
            _ => 1,
        };
        let end = (pc + width).min(program.slots.len());
        let span = program.spans.get(pc).copied().unwrap_or_default();
        views.push(InstructionView {
            pc,
            hex: hex_bytes(&program.slots[pc..end]),
            line: span.line,
            column: span.column,
            end_column: span.end_column,
            source: printer.insn(pc, Style::Source),
            log: printer.insn(pc, Style::Log),
            c_line: {
                while records.next_if(|l| l.pc < pc).is_some() {}
                records.next_if(|l| l.pc == pc).map(|l| l.log_text())
            },
        });
    }
    views
}

/// Slots as hex bytes separated by spaces (`b7 01 00 00 00 00 00 00`).
pub fn hex_bytes(slots: &[RawInsn]) -> String {
    let mut out = String::with_capacity(slots.len() * 24);
    for byte in slots.iter().flat_map(|s| s.to_bytes()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The bytecode, one slot per line (the form the `hex` syntax reads back).
pub fn bytecode_hex(slots: &[RawInsn]) -> String {
    let mut out = String::with_capacity(slots.len() * 24);
    for slot in slots {
        out.push_str(&hex_bytes(std::slice::from_ref(slot)));
        out.push('\n');
    }
    out
}

fn map_view(m: &MapDef) -> MapView {
    MapView {
        name: m.name.clone(),
        map_type: m.map_type.name(),
        key_size: m.key_size,
        value_size: m.value_size,
        max_entries: m.max_entries,
        line: m.span.line,
    }
}
