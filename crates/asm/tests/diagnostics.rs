//! One test per diagnostic kind: the line, the column and the message.

use unwind_asm::{assemble, assemble_with, AsmError, Diagnostic, Options, Syntax};

fn diagnostics(src: &str) -> Vec<Diagnostic> {
    let a = assemble(src);
    assert!(a.program.is_none(), "expected errors for {src:?}");
    a.diagnostics
}

/// The single diagnostic of `src`, as (line, column, message).
fn only(src: &str) -> (u32, u32, String) {
    let d = diagnostics(src);
    assert_eq!(d.len(), 1, "{d:#?}");
    (d[0].line, d[0].column, d[0].message())
}

#[test]
fn expected_something_else() {
    assert_eq!(
        only("r0 = 1\nr1 ="),
        (2, 5, "expected a value, found end of line".into())
    );
    assert_eq!(
        only("if r1 > 2 jump +1"),
        (1, 11, "expected 'goto', found 'jump'".into())
    );
}

#[test]
fn cmpxchg_writes_r0_in_both_spellings() {
    // BPF_CMPXCHG always returns the old value in R0: the LLVM and the kernel-log spellings
    // both refuse another destination.
    for src in [
        "r1 = cmpxchg_64(r10 - 8, r0, r2)",
        "r1 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2)",
    ] {
        let (line, _, msg) = only(&format!("{src}\nexit"));
        assert_eq!(line, 1);
        assert_eq!(
            msg, "expected r0 as the destination of cmpxchg, found r1",
            "{src}"
        );
    }
}

#[test]
fn unknown_instruction() {
    assert_eq!(
        only("exit\n  frobnicate r1"),
        (
            2,
            3,
            "unknown instruction: expected an instruction, a label or a directive, found 'frobnicate'"
                .into()
        )
    );
}

#[test]
fn invalid_register() {
    assert_eq!(
        only("r11 = 2"),
        (
            1,
            1,
            "invalid register r11: expected r0..r10 or w0..w10".into()
        )
    );
}

#[test]
fn register_width_mismatch() {
    assert_eq!(
        only("w1 += r2"),
        (
            1,
            7,
            "register width mismatch: expected w2, found r2".into()
        )
    );
}

#[test]
fn immediate_and_offset_out_of_range() {
    assert_eq!(
        only("r1 = 0x1ffffffff"),
        (
            1,
            6,
            "immediate 8589934591 is out of range: expected a 32-bit value (add `ll` for a 64-bit immediate)"
                .into()
        )
    );
    assert_eq!(
        only("*(u64 *)(r10 - 40000) = r1"),
        (
            1,
            16,
            "offset -40000 is out of range: expected -32768..=32767".into()
        )
    );
}

#[test]
fn invalid_number() {
    assert_eq!(
        only("r1 = 12abc"),
        (
            1,
            6,
            "invalid number 12abc: expected a decimal or 0x-prefixed hexadecimal integer".into()
        )
    );
}

#[test]
fn undefined_label() {
    assert_eq!(
        only("goto nowhere\nexit"),
        (
            1,
            6,
            "undefined label nowhere: expected a label defined in this file".into()
        )
    );
}

#[test]
fn duplicate_label() {
    assert_eq!(
        only("a:\nexit\n a:\nexit"),
        (3, 2, "label a is already defined on line 1".into())
    );
}

#[test]
fn unknown_function() {
    assert_eq!(
        only("call bpf_nope\nexit"),
        (
            1,
            6,
            "unknown function bpf_nope: expected a helper, a kfunc of the catalogue or a label"
                .into()
        )
    );
}

#[test]
fn unknown_and_duplicate_maps() {
    assert_eq!(
        only("r1 = map[nope] ll\nexit"),
        (
            1,
            10,
            "unknown map nope: expected a map declared with .map".into()
        )
    );
    assert_eq!(
        only(".map m hash key=4 value=4 max_entries=1\n.map m array key=4 value=4 max_entries=1\nexit"),
        (2, 1, "map m is already declared on line 1".into())
    );
}

#[test]
fn unknown_directive() {
    assert_eq!(
        only(".frob x\nexit"),
        (
            1,
            1,
            "unknown directive .frob: expected .globl, .global, .exception_callback, .map, .ctx, .loc or .syntax"
                .into()
        )
    );
}

#[test]
fn unknown_program_and_map_types() {
    assert_eq!(
        only(".ctx bogus\nexit"),
        (
            1,
            6,
            "unknown program type bogus: expected a kernel program-type name such as socket, tc, xdp, cgroup_skb, tracepoint or raw"
                .into()
        )
    );
    assert_eq!(
        only(".map m bogus key=4 value=4 max_entries=1\nexit"),
        (
            1,
            8,
            "unknown map type bogus: expected a kernel map-type name such as array, hash or ringbuf"
                .into()
        )
    );
}

#[test]
fn map_directive_needs_its_sizes() {
    assert_eq!(
        only(".map m hash key=4 value=4\nexit"),
        (1, 26, "expected max_entries=N, found end of line".into())
    );
}

#[test]
fn unknown_global_argument_type() {
    assert_eq!(
        only(".globl f(ptr)\nexit\nf:\nexit"),
        (
            1,
            10,
            "unknown argument type ptr: expected scalar, ctx or mem:N".into()
        )
    );
}

#[test]
fn directive_names_a_missing_label() {
    assert_eq!(
        only(".exception_callback cb\nexit"),
        (
            1,
            1,
            ".exception_callback names cb, but no label cb is defined".into()
        )
    );
}

#[test]
fn second_ctx_directive() {
    assert_eq!(
        only(".ctx tc\n.ctx xdp\nexit"),
        (
            2,
            1,
            "expected one .ctx directive (the first is on line 1), found a second one".into()
        )
    );
}

#[test]
fn empty_program() {
    assert_eq!(
        only("// nothing here\n\n"),
        (
            1,
            1,
            "the program is empty: expected at least one instruction".into()
        )
    );
}

#[test]
fn program_too_large() {
    // One more instruction than the kernel's 1,000,000-instruction limit.
    let src = "exit\n".repeat(1_000_001);
    let d = diagnostics(&src);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].error,
        AsmError::ProgramTooLarge {
            count: 1_000_001,
            limit: 1_000_000
        }
    );
}

#[test]
fn invalid_bytecode() {
    let hex = |s: &str| {
        let a = assemble_with(
            s,
            &Options {
                syntax: Syntax::Hex,
            },
        );
        assert!(a.program.is_none());
        a.diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.message()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        hex("95 00 00 00 00 00 00 00\nb7 00 00 00 01 00 00"),
        vec![(
            2,
            1,
            "invalid bytecode: 7 bytes on this line: expected a multiple of 8 (whole instructions)"
                .into()
        )]
    );
    assert_eq!(
        hex("95 00 00 00 00 00 00 00\nff 00 00 00 00 00 00 00"),
        vec![(
            2,
            1,
            "invalid bytecode: instruction 1: unknown opcode 0xff".into()
        )]
    );
    assert_eq!(
        hex("95 00 zz"),
        vec![(
            1,
            7,
            "expected hex bytes (two hex digits each) or a 0x-prefixed 64-bit word, found 'zz'"
                .into()
        )]
    );
}

#[test]
fn overlong_line() {
    let src = format!("r0 = 0 // {}\nexit", "x".repeat(5000));
    let (line, col, msg) = only(&src);
    assert_eq!((line, col), (1, 4097));
    assert_eq!(
        msg,
        "line length 5010 is out of range: expected at most 4096 characters"
    );
}

#[test]
fn unexpected_character() {
    assert_eq!(
        only("r0 = 1 @ 2"),
        (
            1,
            8,
            "expected an instruction, found unexpected character '@'".into()
        )
    );
}

#[test]
fn every_error_of_a_file_is_reported_in_order() {
    let d = diagnostics("r0 = \nexit\nfrob\ngoto nowhere\nr99 = 1\n");
    let lines: Vec<u32> = d.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![1, 3, 4, 5]);
}

#[test]
fn ubpf_errors_have_positions_too() {
    let a = assemble_with(
        "mov %r0, 1\njne %r0, 15, nowhere\nldxq %r0, [%r1]\nexit",
        &Options {
            syntax: Syntax::Ubpf,
        },
    );
    let d: Vec<_> = a
        .diagnostics
        .iter()
        .map(|d| (d.line, d.column, d.message()))
        .collect();
    assert_eq!(
        d,
        vec![
            (
                2,
                14,
                "undefined label nowhere: expected a label defined in this file".into()
            ),
            (
                3,
                1,
                "unknown instruction: expected an instruction, a label or a directive, found 'ldxq'"
                    .into()
            ),
        ]
    );
}

#[test]
fn display_has_line_and_column() {
    let d = diagnostics("exit\nfrob");
    assert!(d[0]
        .to_string()
        .starts_with("2:1: error: unknown instruction"));
}

#[test]
fn loc_directive_errors() {
    assert_eq!(
        only(".loc \"p.c\" 3:1 \"x\"\n.loc \"p.c\" 4:1 \"y\"\nexit"),
        (
            2,
            1,
            "a second .loc for the same instruction (the first is on line 1): expected one per instruction".into()
        )
    );
    assert_eq!(
        only("exit\n.loc \"p.c\" 3:1 \"x\""),
        (
            2,
            1,
            ".loc must come before an instruction: no instruction follows it".into()
        )
    );
    assert_eq!(
        only(".loc \"p.c\" 3:1 \"x\nexit"),
        (1, 16, "expected a closing '\"', found end of line".into())
    );
    assert_eq!(
        only(".loc \"p.c\" -1:1 \"x\"\nexit"),
        (
            1,
            12,
            "line number -1 is out of range: expected 0..=4294967295".into()
        )
    );
    assert_eq!(
        only(".loc p.c 3:1 \"x\"\nexit").2,
        "expected a quoted file name (.loc \"prog.c\" LINE:COLUMN \"text\"), found 'p.c'"
    );
}
