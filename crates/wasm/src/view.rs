//! The conversion layer: plain Rust, no wasm types, so every rule here is tested natively with
//! `cargo test`. The JS-facing shapes are `camelCase` structs of strings, booleans and small
//! integers (pcs, lines, columns); anything 64-bit crosses as a string.
//!
//! The TypeScript declarations of these shapes are in `lib.rs` (`TS_TYPES`); a test below
//! checks that every field serialized here is declared there.

use serde::{Deserialize, Serialize};
use unwind_asm::{Assembly, Diagnostic, Options, Program, Syntax};
use unwind_isa::{RawInsn, Slot};
use unwind_program::disasm::{self, Style};
use unwind_program::{GlobalArg, Linkage, MapDef};

/// Options as JS passes them: `{ syntax?: "auto" | "pseudo_c" | "ubpf" | "hex" }`.
/// Unknown fields are rejected: a misspelled option is API misuse, not user input.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssembleOptions {
    #[serde(default)]
    pub syntax: Option<String>,
}

impl AssembleOptions {
    /// The assembler's options, or an error naming the bad value (thrown to JS: misuse).
    pub fn to_options(&self) -> Result<Options, String> {
        let syntax = match self.syntax.as_deref() {
            None => Syntax::Auto,
            Some(name) => parse_syntax(name).ok_or_else(|| {
                format!(
                    "unknown syntax {name:?}: expected \"auto\", \"pseudo_c\", \"ubpf\" or \"hex\""
                )
            })?,
        };
        Ok(Options { syntax })
    }
}

/// The syntax names JS uses (the assembler's serde names).
pub fn parse_syntax(name: &str) -> Option<Syntax> {
    Some(match name {
        "auto" => Syntax::Auto,
        "pseudo_c" => Syntax::PseudoC,
        "ubpf" => Syntax::Ubpf,
        "hex" => Syntax::Hex,
        _ => return None,
    })
}

pub fn syntax_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Auto => "auto",
        Syntax::PseudoC => "pseudo_c",
        Syntax::Ubpf => "ubpf",
        Syntax::Hex => "hex",
    }
}

/// What `assemble` returns to JS. User errors are in `diagnostics`; `ok` is true when a
/// program was produced (then the program views are filled, else they are empty).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssembleResult {
    pub ok: bool,
    /// The syntax used (never `auto`).
    pub syntax: &'static str,
    pub diagnostics: Vec<DiagnosticView>,
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
    /// From `.ctx`, by its canonical name; `null` when the source does not say.
    pub prog_type: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticView {
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
    pub message: String,
    /// The error's variant in snake_case (`unknown_instruction`, `undefined_label`, ...).
    pub kind: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
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
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FunctionView {
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// `main`, `static`, `global` or `hidden`.
    pub linkage: &'static str,
    /// Declared arguments of a global function: `scalar`, `ctx`, `mem:N`.
    pub args: Vec<String>,
    pub is_exception_callback: bool,
    /// Source line of the first instruction (0 when there is none).
    pub line: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MapView {
    pub name: String,
    #[serde(rename = "type")]
    pub map_type: &'static str,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub line: u32,
}

/// Assembles and converts: the whole of the `assemble` binding but the JS value.
pub fn assemble(source: &str, options: &AssembleOptions) -> Result<AssembleResult, String> {
    let options = options.to_options()?;
    Ok(assembly_view(&unwind_asm::assemble_with(source, &options)))
}

pub fn assembly_view(assembly: &Assembly) -> AssembleResult {
    let diagnostics: Vec<DiagnosticView> =
        assembly.diagnostics.iter().map(diagnostic_view).collect();
    let mut result = AssembleResult {
        ok: assembly.program.is_some(),
        syntax: syntax_name(assembly.syntax),
        diagnostics,
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
        result.instructions = instruction_views(program);
        result.slot_count = program.slots.len();
        result.bytecode_hex = bytecode_hex(&program.slots);
        result.disassembly = disasm::disassemble(program, Style::Source);
        result.log = disasm::disassemble(program, Style::Log);
        result.functions = program
            .functions
            .iter()
            .map(|f| FunctionView {
                name: f.name.clone(),
                start: f.start,
                end: f.end,
                linkage: linkage_name(f.linkage),
                args: f.args.iter().map(|a| global_arg_name(*a)).collect(),
                is_exception_callback: f.is_exception_callback,
                line: program.spans.get(f.start).map_or(0, |s| s.line),
            })
            .collect();
        result.maps = program.maps.iter().map(map_view).collect();
        result.prog_type = program.prog_type.map(|t| t.name());
    }
    result
}

pub fn diagnostic_view(d: &Diagnostic) -> DiagnosticView {
    DiagnosticView {
        line: d.line,
        column: d.column,
        end_column: d.end_column,
        message: d.message(),
        kind: variant_kind(&d.error),
    }
}

/// The snake_case name of an enum value's variant, from its `Debug` form (`UndefinedLabel {
/// .. }` → `undefined_label`). This is the `kind` tag the assembler's serde form uses; a test
/// checks they agree.
pub fn variant_kind(value: &impl std::fmt::Debug) -> String {
    let debug = format!("{value:?}");
    let name = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let mut kind = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                kind.push('_');
            }
            kind.push(c.to_ascii_lowercase());
        } else {
            kind.push(c);
        }
    }
    kind
}

/// One view per instruction; the second slot of an `ld_imm64` joins the first. An undecodable
/// slot is its own entry (the disassembler says what it is).
pub fn instruction_views(program: &Program) -> Vec<InstructionView> {
    let decoded = program.decode();
    let mut views = Vec::with_capacity(decoded.len());
    let printer = disasm::Disassembler::new(program);
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

pub fn linkage_name(linkage: Linkage) -> &'static str {
    match linkage {
        Linkage::Main => "main",
        Linkage::Static => "static",
        Linkage::Global => "global",
        Linkage::Hidden => "hidden",
    }
}

pub fn global_arg_name(arg: GlobalArg) -> String {
    match arg {
        GlobalArg::Scalar => "scalar".to_string(),
        GlobalArg::Ctx => "ctx".to_string(),
        GlobalArg::Mem(n) => format!("mem:{n}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_asm::AsmError;
    use unwind_isa::{encode_program, CallTarget, Imm64Kind, Insn, Reg};
    use unwind_program::{FunctionDecl, Label, Span};

    fn options(syntax: Option<&str>) -> AssembleOptions {
        AssembleOptions {
            syntax: syntax.map(str::to_string),
        }
    }

    #[test]
    fn syntax_names_round_trip_and_match_the_assembler_serde_names() {
        for syntax in [Syntax::Auto, Syntax::PseudoC, Syntax::Ubpf, Syntax::Hex] {
            let name = syntax_name(syntax);
            assert_eq!(parse_syntax(name), Some(syntax));
            assert_eq!(serde_json::to_value(syntax).unwrap(), name);
        }
        assert_eq!(parse_syntax("pseudo-c"), None);
    }

    #[test]
    fn options_default_to_auto_and_reject_unknown_syntax() {
        assert_eq!(options(None).to_options().unwrap().syntax, Syntax::Auto);
        assert_eq!(
            options(Some("ubpf")).to_options().unwrap().syntax,
            Syntax::Ubpf
        );
        let err = options(Some("intel")).to_options().unwrap_err();
        assert!(err.contains("unknown syntax \"intel\""), "{err}");
        // Unknown fields are misuse too.
        assert!(serde_json::from_str::<AssembleOptions>(r#"{"sintax":"hex"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<AssembleOptions>("{}").unwrap(),
            AssembleOptions::default()
        );
    }

    #[test]
    fn diagnostic_kind_matches_the_assembler_serde_tag() {
        let errors = [
            AsmError::UnknownInstruction {
                found: "frob".into(),
            },
            AsmError::UndefinedLabel { name: "out".into() },
            AsmError::EmptyProgram,
            AsmError::DuplicateLabel {
                name: "out".into(),
                first_line: 2,
            },
        ];
        for error in errors {
            let tag = serde_json::to_value(&error).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string();
            let d = Diagnostic::new(3, 5, 9, error);
            let view = diagnostic_view(&d);
            assert_eq!(view.kind, tag);
            assert_eq!((view.line, view.column, view.end_column), (3, 5, 9));
            assert_eq!(view.message, d.message());
        }
    }

    #[test]
    fn hex_is_little_endian_bytes_with_spaces() {
        let slots = encode_program(&[Insn::Exit]);
        assert_eq!(hex_bytes(&slots), "95 00 00 00 00 00 00 00");
        let two = [
            RawInsn::new(0xb7, 1, 0, 0, -1),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ];
        assert_eq!(
            bytecode_hex(&two),
            "b7 01 00 00 ff ff ff ff\n95 00 00 00 00 00 00 00\n"
        );
    }

    /// A program built without the assembler: `r1 = 0x1122334455667788 ll; call f; exit;`
    /// and a global exception callback `f: exit`.
    fn sample_program() -> Program {
        let insns = [
            Insn::LdImm64 {
                dst: Reg::R1,
                kind: Imm64Kind::Imm,
                imm: 0x1122_3344_5566_7788,
            },
            Insn::Call(CallTarget::Local(1)),
            Insn::Exit,
            Insn::Exit,
        ];
        let slots = encode_program(&insns);
        let spans = vec![
            Span::new(1, 1, 28),
            Span::new(1, 1, 28),
            Span::new(2, 1, 7),
            Span::new(3, 1, 5),
            Span::new(5, 3, 7),
        ];
        let decls = [FunctionDecl {
            name: "f".into(),
            pc: 4,
            global: true,
            args: vec![GlobalArg::Ctx, GlobalArg::Mem(16)],
            returns_void: false,
            is_exception_callback: true,
        }];
        let labels = vec![Label {
            name: "f".into(),
            pc: 4,
        }];
        Program::new(slots, spans, &decls, Vec::new(), None, labels)
    }

    fn sample_view() -> AssembleResult {
        assembly_view(&Assembly {
            program: Some(sample_program()),
            diagnostics: Vec::new(),
            syntax: Syntax::PseudoC,
        })
    }

    #[test]
    fn ld_imm64_is_one_instruction_of_16_bytes() {
        let r = sample_view();
        assert!(r.ok);
        assert_eq!(r.slot_count, 5);
        let pcs: Vec<usize> = r.instructions.iter().map(|i| i.pc).collect();
        assert_eq!(pcs, [0, 2, 3, 4], "the pc after an ld_imm64 skips its tail");
        assert_eq!(
            r.instructions[0].hex,
            "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11"
        );
        assert_eq!(r.instructions[3].hex, "95 00 00 00 00 00 00 00");
        assert_eq!((r.instructions[3].line, r.instructions[3].column), (5, 3));
        assert_eq!(r.bytecode_hex.lines().count(), 5);
    }

    #[test]
    fn sixty_four_bit_immediates_cross_as_text() {
        let r = sample_view();
        let first = &r.instructions[0];
        assert_eq!(first.source, "r1 = 0x1122334455667788 ll");
        assert_eq!(first.log, "0: (18) r1 = 0x1122334455667788");
        assert!(r.disassembly.contains("r1 = 0x1122334455667788 ll"));
        assert!(r.log.contains("2: (85) call pc+1"), "{}", r.log);
        // Nothing in the JS result is a 64-bit number.
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("1234605616436508552"));
    }

    #[test]
    fn functions_convert() {
        let r = sample_view();
        let f = &r.functions;
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].name.as_str(), f[0].linkage), ("main", "main"));
        assert_eq!((f[1].name.as_str(), f[1].linkage), ("f", "global"));
        assert_eq!(f[1].args, ["ctx", "mem:16"]);
        assert!(f[1].is_exception_callback);
        assert_eq!((f[1].start, f[1].end, f[1].line), (4, 5, 5));
        let json = serde_json::to_value(&f[1]).unwrap();
        assert_eq!(json["isExceptionCallback"], true);
    }

    #[test]
    fn failed_assembly_has_diagnostics_and_empty_views() {
        let assembly = Assembly {
            program: None,
            diagnostics: vec![Diagnostic::new(
                2,
                1,
                5,
                AsmError::UnknownInstruction {
                    found: "frob".into(),
                },
            )],
            syntax: Syntax::PseudoC,
        };
        let r = assembly_view(&assembly);
        assert!(!r.ok);
        assert_eq!(r.syntax, "pseudo_c");
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(r.diagnostics[0].kind, "unknown_instruction");
        assert!(r.instructions.is_empty() && r.disassembly.is_empty());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["diagnostics"][0]["endColumn"], 5);
        assert_eq!(json["progType"], serde_json::Value::Null);
    }

    #[test]
    fn assembles_source_end_to_end() {
        let r = assemble(
            ".ctx tc\n.map counts hash key=4 value=8 max_entries=16\nr0 = 0\nexit\n",
            &AssembleOptions::default(),
        )
        .unwrap();
        assert!(r.ok, "{:?}", r.diagnostics);
        assert_eq!(r.syntax, "pseudo_c");
        assert_eq!(r.instructions.len(), 2);
        assert_eq!(r.instructions[0].line, 3);
        assert_eq!(r.instructions[1].hex, "95 00 00 00 00 00 00 00");
        assert_eq!(r.prog_type, Some("tc"));
        assert_eq!(r.maps[0].name, "counts");
        assert_eq!(
            (r.maps[0].map_type, r.maps[0].key_size, r.maps[0].value_size),
            ("hash", 4, 8)
        );

        // The bytecode view reads back as the hex syntax.
        let back = assemble(&r.bytecode_hex, &options(Some("hex"))).unwrap();
        assert!(back.ok, "{:?}", back.diagnostics);
        assert_eq!(back.bytecode_hex, r.bytecode_hex);
    }

    #[test]
    fn user_errors_are_data_with_positions() {
        let r = assemble("r0 = 0\n  frob r1\nexit\n", &options(Some("pseudo_c"))).unwrap();
        assert!(!r.ok);
        let d = &r.diagnostics[0];
        assert_eq!((d.line, d.column), (2, 3), "{d:?}");
        assert!(!d.message.is_empty() && !d.kind.is_empty());
        assert!(r.instructions.is_empty());
        // Misuse is an error for the binding to throw.
        assert!(assemble("exit", &options(Some("att"))).is_err());
    }

    #[test]
    fn every_serialized_field_is_declared_in_the_typescript_types() {
        let mut r = sample_view();
        r.diagnostics.push(diagnostic_view(&Diagnostic::new(
            1,
            1,
            1,
            AsmError::EmptyProgram,
        )));
        r.maps.push(MapView {
            name: "m".into(),
            map_type: "hash",
            key_size: 4,
            value_size: 8,
            max_entries: 1,
            line: 1,
        });
        let mut keys = Vec::new();
        collect_keys(&serde_json::to_value(&r).unwrap(), &mut keys);
        for key in keys {
            assert!(
                crate::TS_TYPES.contains(&format!(" {key}: ")),
                "field {key} is not declared in TS_TYPES"
            );
        }
    }

    fn collect_keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.clone());
                    collect_keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect_keys(v, out)),
            _ => {}
        }
    }
}
