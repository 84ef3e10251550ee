//! The syntax features of SPEC §2 beyond single instructions: directives, functions, labels,
//! pasted verifier-log lines, the uBPF dialect's quirks, hex input, and syntax detection.

use unwind_asm::{assemble, assemble_with, Options, Program, Syntax};
use unwind_isa::{CallTarget, Imm64Kind, Insn};
use unwind_kernel::{MapType, ProgType};
use unwind_program::disasm::{disassemble, format_insn, Style};
use unwind_program::{GlobalArg, Linkage};

fn program(src: &str) -> Program {
    let a = assemble(src);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    a.program.expect("program")
}

const EXCEPTIONS: &str = r#"
// A main program, a static and a global function, a callback and an exception callback.
.ctx tc
.map events ringbuf key=0 value=0 max_entries=4096
.map counts array key=4 value=8 max_entries=1
.globl check(ctx, mem:8)
.globl on_exception(scalar)
.exception_callback on_exception

main:
	r6 = r1
	r1 = map[events] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r1 = 4
	r2 = loop_cb
	r3 = 0
	r4 = 0
	call bpf_loop
	r1 = r6
	r2 = r10
	r2 += -16
	call check
	r1 = *(u64 *)(r10 - 8)
	r2 = 0
	call bpf_ringbuf_submit
out:
	call helper
	r0 = 0
	exit
helper:
	r0 = 1
	exit
loop_cb:
	r0 = 0
	exit
check:
	if r1 != 0 goto fine
	r1 = 7
	call bpf_throw
fine:
	r0 = 0
	exit
on_exception:
	r0 = r1
	exit
"#;

#[test]
fn functions_directives_and_maps() {
    let p = program(EXCEPTIONS);
    assert_eq!(p.prog_type, Some(ProgType::SchedCls));
    assert_eq!(p.maps.len(), 2);
    assert_eq!(p.maps[0].map_type, MapType::Ringbuf);
    assert_eq!(p.maps[1].value_size, 8);
    let f: Vec<_> = p
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.linkage))
        .collect();
    assert_eq!(
        f,
        vec![
            ("main", Linkage::Main),
            ("helper", Linkage::Static),
            ("loop_cb", Linkage::Static),
            ("check", Linkage::Global),
            ("on_exception", Linkage::Global),
        ]
    );
    let check = &p.functions[3];
    assert_eq!(check.args, vec![GlobalArg::Ctx, GlobalArg::Mem(8)]);
    assert_eq!(
        p.exception_callback().map(|f| f.name.as_str()),
        Some("on_exception")
    );
    // `r1 = map[events] ll` loads map 0 (BPF_PSEUDO_MAP_FD); `r2 = loop_cb` a function.
    assert!(matches!(
        p.insn(1),
        Some(Insn::LdImm64 {
            kind: Imm64Kind::MapFd,
            imm: 0,
            ..
        })
    ));
    let cb = p.functions[2].start;
    let pc = (0..p.slots.len())
        .find(|&pc| {
            matches!(
                p.insn(pc),
                Some(Insn::LdImm64 {
                    kind: Imm64Kind::Func,
                    ..
                })
            )
        })
        .unwrap();
    assert_eq!(p.insn(pc).unwrap().function_target(pc), Some(cb as i64));
    // Every slot has the source line it came from (ld_imm64's two slots share one).
    assert_eq!(p.spans[1].line, 12);
    assert_eq!(p.spans[2].line, 12);
}

#[test]
fn disassembly_snapshots() {
    let p = program(EXCEPTIONS);
    insta::assert_snapshot!("exceptions_source", disassemble(&p, Style::Source));
    insta::assert_snapshot!("exceptions_log", disassemble(&p, Style::Log));
}

#[test]
fn source_disassembly_reassembles_with_names_and_directives() {
    let p = program(EXCEPTIONS);
    let q = program(&disassemble(&p, Style::Source));
    assert_eq!(q.slots, p.slots);
    assert_eq!(q.maps, {
        let mut m = p.maps.clone();
        // Spans differ; everything else is the same.
        for (a, b) in m.iter_mut().zip(&q.maps) {
            a.span = b.span;
        }
        m
    });
    assert_eq!(q.prog_type, p.prog_type);
    let names = |p: &Program| {
        p.functions
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.linkage,
                    f.args.clone(),
                    f.is_exception_callback,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&q), names(&p));
}

#[test]
fn pasted_verifier_log_lines() {
    // Lines as the kernel log prints them, with the `N: (op)` prefix and `; state` suffix.
    let p = program(
        "0: (b7) r1 = 7\n\
         1: (7b) *(u64 *)(r10 -8) = r1       ; R1_w=7 R10=fp0 fp-8_w=7\n\
         2: (15) if r1 == 0x7 goto pc+1\n\
         3: (85) call bpf_throw#70011\n\
         4: (18) r2 = 0x1122334455667788\n\
         6: (db) r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)\n\
         7: (c3) lock *(u32 *)(r10 -8) += r1\n\
         8: (85) call bpf_map_lookup_elem#1\n\
         9: (95) exit\n",
    );
    let log = disassemble(&p, Style::Log);
    assert_eq!(
        log,
        "0: (b7) r1 = 7\n\
         1: (7b) *(u64 *)(r10 -8) = r1\n\
         2: (15) if r1 == 0x7 goto pc+1\n\
         3: (85) call bpf_throw#70011\n\
         4: (18) r2 = 0x1122334455667788\n\
         6: (db) r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)\n\
         7: (c3) lock *(u32 *)(r10 -8) += r1\n\
         8: (85) call bpf_map_lookup_elem#1\n\
         9: (95) exit\n"
    );
    assert_eq!(format_insn(&p, 2, Style::Source), "if r1 == 7 goto L4");
}

#[test]
fn ubpf_dialect_with_its_exit_quirk() {
    let a = assemble("mov %r0, 1\njne %r0, 1, exit\nmov %r0, 2\nexit\n");
    assert_eq!(a.syntax, Syntax::Ubpf);
    let p = a.program.unwrap();
    // A jump to `exit` with no such label goes to the first `exit` instruction.
    assert_eq!(p.insn(1).unwrap().jump_target(1), Some(3));
    // `call local` makes a function; `call %r2` is callx.
    let p = program(".syntax ubpf\ncall local f\ncall %r2\nexit\nf:\nmov r0, 0\nexit\n");
    assert_eq!(p.insn(0), Some(Insn::Call(CallTarget::Local(2))));
    assert!(matches!(p.insn(1), Some(Insn::Callx { .. })));
    assert_eq!(p.functions.len(), 2);
}

#[test]
fn hex_input_in_every_spelling() {
    let words = assemble("0x00000001000000b7\n0x0000000000000095\n");
    let bytes = assemble("b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n");
    let packed = assemble("b700000001000000 9500000000000000 # two instructions\n");
    let c_array = assemble("0xb7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,\n0x95,0,0,0,0,0,0,0\n");
    for a in [&words, &bytes, &packed] {
        assert_eq!(a.syntax, Syntax::Hex);
        assert_eq!(
            a.program.as_ref().unwrap().to_bytes(),
            [0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]
        );
    }
    // `0,0` is not two hex digits: C arrays need every byte written as two digits.
    assert!(c_array.program.is_none());
}

#[test]
fn syntax_detection() {
    assert_eq!(assemble("r0 = 0\nexit").syntax, Syntax::PseudoC);
    assert_eq!(assemble("exit").syntax, Syntax::PseudoC);
    assert_eq!(assemble("l: mov r0, 0\nexit").syntax, Syntax::Ubpf);
    assert_eq!(assemble("lock add [r10-8], r1\nexit").syntax, Syntax::Ubpf);
    assert_eq!(
        assemble("lock *(u64 *)(r10 - 8) += r1\nexit").syntax,
        Syntax::PseudoC
    );
    assert_eq!(
        assemble(".syntax hex\n95 00 00 00 00 00 00 00").syntax,
        Syntax::Hex
    );
    // A directive overrides detection.
    let a = assemble_with(
        "mov r0, 0\nexit",
        &Options {
            syntax: Syntax::PseudoC,
        },
    );
    assert!(a.program.is_none());
}

#[test]
fn every_kselftest_program_type_and_map_type_name() {
    // Names the kselftests generator writes (libbpf section prefixes) and SPEC's `raw`.
    for name in [
        "socket",
        "tc",
        "xdp",
        "cgroup_skb",
        "tracepoint",
        "raw_tp",
        "lwt_in",
        "lwt_out",
        "lwt_xmit",
        "cgroup_sock",
        "netfilter",
        "flow_dissector",
        "cgroup_sysctl",
        "perf_event",
        "kprobe",
        "sock_ops",
        "sk_reuseport",
        "tc_action",
        "tracing",
        "raw_tp_writable",
        "ext",
        "lsm",
        "syscall",
        "lwt_seg6local",
        "sk_skb",
        "sk_msg",
        "lirc_mode2",
        "cgroup_device",
        "cgroup_sockopt",
        "cgroup_sock_addr",
        "struct_ops",
        "sk_lookup",
        "raw",
    ] {
        let p = program(&format!(".ctx {name}\nexit"));
        assert_eq!(
            p.prog_type.map(|t| t.name()),
            ProgType::from_name(name).map(|t| t.name())
        );
    }
    for &t in MapType::ALL {
        let p = program(&format!(
            ".map m {} key=4 value=8 max_entries=1\nexit",
            t.name()
        ));
        assert_eq!(p.maps[0].map_type, t);
    }
}

#[test]
fn block_comments_and_labels_on_instruction_lines() {
    let p = program(
        "/* a\n   multi-line comment */ start: r0 = 0 ; trailing\n# hash comment\nexit // done",
    );
    assert_eq!(p.slots.len(), 2);
    assert_eq!(p.spans[0].line, 2);
    assert_eq!(p.label_at(0), Some("start"));
}

#[test]
fn immediates_follow_llvm() {
    // `r1 = 0xffffffff` without `ll` is the 32-bit pattern -1, as LLVM encodes it.
    let p = program("r1 = 0xffffffff\nr2 = -1 ll\nexit");
    assert_eq!(p.slots[0].imm, -1);
    assert_eq!(
        p.insn(1),
        Some(Insn::LdImm64 {
            dst: unwind_isa::Reg::new(2).unwrap(),
            kind: Imm64Kind::Imm,
            imm: u64::MAX
        })
    );
}

#[test]
fn a_global_function_can_be_declared_void_and_the_declaration_round_trips() {
    let src = ".ctx tc\n.globl f(scalar, mem:8) void\n.globl g\n\tcall f\n\tcall g\n\tr0 = 0\n\texit\nf:\n\texit\ng:\n\tr0 = 1\n\texit\n";
    let p = program(src);
    let void: Vec<_> = p
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.returns_void))
        .collect();
    assert_eq!(void, [("main", false), ("f", true), ("g", false)]);
    assert_eq!(p.functions[1].args, [GlobalArg::Scalar, GlobalArg::Mem(8)]);
    let text = disassemble(&p, Style::Source);
    assert!(
        text.contains(".globl f(scalar, mem:8) void\n.globl g\n"),
        "{text}"
    );
    let q = program(&text);
    assert_eq!((&q.slots, &q.functions), (&p.slots, &p.functions));
}

#[test]
fn loc_directives_give_the_program_its_c_lines_and_disassemble_back() {
    // `.loc "file" LINE:COLUMN "text"` is a BTF line_info record: it covers the instructions
    // from the one after it to the next record. The text is kept verbatim, blanks, quotes,
    // backslashes and comment markers included.
    let src = r#"
	.loc "./prog.c" 3:0 "int prog(struct __sk_buff *skb)"
	r0 = 0
	r1 = 1 // a comment after an instruction
	.loc "./prog.c" 5:2 "	/* \"quoted\" */ return a \\ b; // c"
	exit
.loc 0 7 2 prologue_end
"#;
    // The LLVM form (a `.file` number) at the end carries no text and is ignored.
    let p = program(src.trim_end_matches(".loc 0 7 2 prologue_end\n"));
    let records: Vec<_> = p
        .line_info
        .iter()
        .map(|l| (l.pc, l.file.as_str(), l.line, l.column, l.text.as_str()))
        .collect();
    assert_eq!(
        records,
        [
            (0, "./prog.c", 3, 0, "int prog(struct __sk_buff *skb)"),
            (
                2,
                "./prog.c",
                5,
                2,
                "\t/* \"quoted\" */ return a \\ b; // c"
            ),
        ]
    );
    let text = disassemble(&p, Style::Source);
    let again = program(&text);
    assert_eq!(again.line_info, p.line_info, "{text}");
    assert_eq!(again.slots, p.slots);
    // The log style prints them as the kernel's verifier log does.
    let log = disassemble(&p, Style::Log);
    assert!(
        log.contains("; int prog(struct __sk_buff *skb) @ prog.c:3\n"),
        "{log}"
    );
    // A string holding punctuation is no punctuation (`":"` once read as a label's colon).
    let odd = program(".loc \":\" 1:0 \"-\"\nexit");
    assert_eq!(
        (
            odd.line_info[0].file.as_str(),
            odd.line_info[0].text.as_str()
        ),
        (":", "-")
    );
    // LLVM's own `.loc FILENO LINE COL` is accepted and means nothing here.
    let llvm = program("r0 = 0\n.loc 0 7 2 prologue_end\nexit");
    assert!(llvm.line_info.is_empty());
}

#[test]
fn a_function_whose_name_is_no_label_disassembles_under_a_generated_one() {
    // An object's symbols may be any string (the object fuzzer renamed one `2`): the text
    // names such a function `func<pc>`, in its label and its directives, and still assembles
    // to the same bytes with the same functions.
    let mut p = program(".globl g(scalar)\nr1 = 1\ncall g\nexit\ng:\nr0 = r1\nexit");
    for bad in ["2", "r1", "a-b", ""] {
        p.functions[1].name = bad.to_string();
        let text = disassemble(&p, Style::Source);
        let again = program(&text);
        assert_eq!(again.slots, p.slots, "{text}");
        assert_eq!(again.functions[1].linkage, Linkage::Global, "{text}");
        assert!(
            text.contains(".globl func3(scalar)\n") && text.contains("func3:\n"),
            "{text}"
        );
    }
}
