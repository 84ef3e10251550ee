//! Properties: no input makes the assembler or the disassembler panic; any valid bytecode
//! disassembles (in source style) to text that assembles back to the same bytes.

use proptest::prelude::*;
use unwind_asm::{assemble, assemble_with, Options, Syntax};
use unwind_isa::{decode_program, RawInsn, Slot};
use unwind_program::disasm::{disassemble, Style};
use unwind_program::{Program, SourceLine};

fn raw_insn() -> impl Strategy<Value = RawInsn> {
    (
        any::<u8>(),
        0u8..11,
        0u8..11,
        -8i16..8,
        prop_oneof![any::<i32>(), -8i32..8, Just(0)],
    )
        .prop_map(|(code, dst, src, off, imm)| RawInsn::new(code, dst, src, off, imm))
}

/// Slots that all decode (undecodable ones are dropped, broken ld_imm64 pairs repaired).
fn valid_program() -> impl Strategy<Value = Vec<RawInsn>> {
    proptest::collection::vec(raw_insn(), 1..40).prop_map(|raw| {
        let mut out: Vec<RawInsn> = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            let mut s = raw[i];
            if s.code == 0x18 {
                // Keep ld_imm64 whole: give it a clean second slot.
                let tail = RawInsn::new(0, 0, 0, 0, raw.get(i + 1).map_or(0, |t| t.imm));
                if unwind_isa::Insn::decode(&[s, tail]).is_ok() {
                    out.push(s);
                    out.push(tail);
                }
                i += 2;
                continue;
            }
            if matches!(decode_program(&[s]).first(), Some(Slot::Insn(_))) {
                // Map loads need a declared map: use plain immediates instead.
                if s.code == 0x18 {
                    s.src = 0;
                }
                out.push(s);
            }
            i += 1;
        }
        if out.is_empty() {
            out.push(RawInsn::new(0x95, 0, 0, 0, 0));
        }
        out
    })
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("r1".to_string()),
        Just("w2".to_string()),
        Just("%r3".to_string()),
        Just("r11".to_string()),
        Just("=".to_string()),
        Just("+=".to_string()),
        Just("s>>=".to_string()),
        Just("*(u32 *)".to_string()),
        Just("(r10 - 8)".to_string()),
        Just("goto".to_string()),
        Just("if".to_string()),
        Just("call".to_string()),
        Just("exit".to_string()),
        Just("lock".to_string()),
        Just("ll".to_string()),
        Just("map[m]".to_string()),
        Just(".map m hash key=4 value=8 max_entries=1".to_string()),
        Just(".globl f(scalar, mem:8)".to_string()),
        Just("f:".to_string()),
        Just("\n".to_string()),
        Just("/*".to_string()),
        Just("0xffffffffffffffffff".to_string()),
        Just("12: (85)".to_string()),
        "[a-z_]{1,6}",
        "-?[0-9]{1,22}",
        "[\\PC]{0,4}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(token(), 0..24).prop_map(|t| t.join(" "))
}

proptest! {
    // PROPTEST_CASES raises the count for a longer soak.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000)
    ))]

    #[test]
    fn arbitrary_text_never_panics(src in text()) {
        for syntax in [Syntax::Auto, Syntax::PseudoC, Syntax::Ubpf, Syntax::Hex] {
            let a = assemble_with(&src, &Options { syntax });
            // Either a program or at least one diagnostic, never both.
            prop_assert!(a.program.is_some() == a.diagnostics.is_empty());
            for d in &a.diagnostics {
                prop_assert!(d.line >= 1 && d.column >= 1 && d.end_column >= d.column);
            }
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(src in "\\PC{0,200}") {
        let _ = assemble(&src);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_disassembler(
        bytes in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        let whole = &bytes[..bytes.len() / 8 * 8];
        let slots = unwind_isa::slots_from_bytes(whole).expect("multiple of 8");
        let p = Program::from_slots(slots);
        let _ = disassemble(&p, Style::Source);
        let _ = disassemble(&p, Style::Log);
        for pc in 0..p.slots.len() + 2 {
            let _ = unwind_program::disasm::format_insn(&p, pc, Style::Log);
            let _ = unwind_program::disasm::format_insn(&p, pc, Style::Source);
        }
        // The same bytes as hex text: a program exactly when every slot decodes.
        let hex: String = whole.iter().map(|b| format!("{b:02x} ")).collect();
        let a = assemble_with(&hex, &Options { syntax: Syntax::Hex });
        if let Some(prog) = a.program {
            prop_assert_eq!(prog.to_bytes(), whole.to_vec());
        }
    }

    #[test]
    fn c_source_lines_survive_disassembly_and_assembly(
        slots in valid_program(),
        records in proptest::collection::vec(
            (any::<prop::sample::Index>(), "(\\PC|[\n\r\\\\\"])*", "(\\PC|[\n\r])*", 0u32.., any::<u32>()),
            0..6,
        ),
    ) {
        // Any text (quotes, backslashes, line breaks, `/*`, `//`, `;`) as `.loc` prints it reads
        // back the same, at the same pcs.
        let mut p = Program::from_slots(slots);
        let decoded = decode_program(&p.slots);
        let starts: Vec<usize> = (0..decoded.len())
            .filter(|&pc| !matches!(decoded[pc], Slot::Imm64Tail))
            .collect();
        let mut line_info: Vec<SourceLine> = records
            .into_iter()
            .map(|(at, text, file, line, column)| SourceLine { pc: starts[at.index(starts.len())], text, file, line, column })
            .collect();
        line_info.sort_by_key(|l| l.pc);
        line_info.dedup_by_key(|l| l.pc);
        p.line_info = line_info;
        let text = disassemble(&p, Style::Source);
        let again = assemble(&text);
        prop_assert!(again.diagnostics.is_empty(), "{text}\n{:?}", again.diagnostics);
        let again = again.program.expect("assembled");
        prop_assert_eq!(again.line_info, p.line_info, "{}", text);
        prop_assert_eq!(again.slots, p.slots);
    }

    #[test]
    fn disassembly_reassembles_to_the_same_bytes(slots in valid_program()) {
        let p = Program::from_slots(slots);
        let text = disassemble(&p, Style::Source);
        let again = assemble(&text);
        prop_assert!(again.diagnostics.is_empty(), "{text}\n{:?}", again.diagnostics);
        prop_assert_eq!(again.program.expect("assembled").slots, p.slots, "{}", text);
    }

    #[test]
    fn log_style_lines_reassemble_when_pasted(slots in valid_program()) {
        // Lines pasted from a verifier log (`N: (op) insn`) assemble to the same bytes, as
        // long as they hold no jump or call that needs a label (the log prints pc offsets).
        let p = Program::from_slots(slots);
        let log = disassemble(&p, Style::Log);
        let again = assemble(&log);
        prop_assert!(again.diagnostics.is_empty(), "{log}\n{:?}", again.diagnostics);
        prop_assert_eq!(again.program.expect("assembled").slots, p.slots, "{}", log);
    }
}
