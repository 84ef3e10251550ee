//! The C fixtures (tests/fixtures/*.c, built by scripts/build-objects.sh with clang-19): every
//! program loads, its maps and relocations resolve, global functions get their BTF argument
//! kinds, the exception callback is found, and each scenario verifies (in every mode) and runs
//! as the hand-written assembly of static/examples/ does.

use unwind_kernel::{MapType, ProgType};
use unwind_object::{load, Object, ObjectProgram};
use unwind_program::disasm::Style;
use unwind_program::{GlobalArg, Linkage, Program};
use unwind_verifier::{verify, Mode};
use unwind_vm::{Config, EventKind, Machine, Status, World};

const FIXTURES: &[&str] = &[
    "global_loophole",
    "callee_saved",
    "exception_callback",
    "map_lookup_throw",
    "relocations",
];

fn fixture(name: &str) -> Object {
    let path = format!("{}/tests/fixtures/{name}.o", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    load(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn program<'a>(obj: &'a Object, name: &str) -> (&'a ObjectProgram, &'a Program) {
    let p = obj.program(name).expect("program");
    (p, p.program.as_ref().expect("loads"))
}

fn example(name: &str) -> Program {
    let path = format!(
        "{}/../../static/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    unwind_asm::assemble(&src)
        .program
        .expect("example assembles")
}

#[test]
fn every_program_of_every_fixture_loads() {
    for name in FIXTURES {
        let obj = fixture(name);
        assert!(!obj.programs.is_empty(), "{name}");
        assert_eq!(obj.license.as_deref(), Some("GPL"), "{name}");
        // relocations.c's nonnull_prog does not load, by design (see its test below).
        for p in obj.programs.iter().filter(|p| p.name != "nonnull_prog") {
            let program = p
                .program
                .as_ref()
                .unwrap_or_else(|e| panic!("{name}/{}: {e}", p.name));
            assert_eq!(program.functions[0].name, p.name);
            assert_eq!(program.prog_type, p.prog_type);
            assert!(!program.line_info.is_empty(), "{name}: line info");
            assert!(program.line_info.windows(2).all(|w| w[0].pc < w[1].pc));
            assert!(program.line_info.iter().all(|l| l.pc < program.slots.len()));
            // Every call and function address resolves inside the program.
            for (pc, slot) in program.decode().iter().enumerate() {
                if let unwind_isa::Slot::Insn(insn) = slot {
                    if let Some(t) = insn.function_target(pc) {
                        assert!(
                            program.function_starting_at(t as usize).is_some(),
                            "{name}/{}: pc {pc} targets {t}",
                            p.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn sections_give_program_types() {
    let obj = fixture("relocations");
    let types: Vec<_> = obj
        .programs
        .iter()
        .map(|p| (p.name.as_str(), p.section.as_str(), p.prog_type))
        .collect();
    assert_eq!(
        types,
        vec![
            ("loop_prog", "xdp", Some(ProgType::Xdp)),
            ("legacy_lookup", "socket", Some(ProgType::SocketFilter)),
            (
                "ringbuf_prog",
                "tp/syscalls/sys_enter_nanosleep",
                Some(ProgType::Tracepoint)
            ),
            ("nonnull_prog", "tc", Some(ProgType::SchedCls)),
        ]
    );
    assert_eq!(
        fixture("global_loophole").programs[0].prog_type,
        Some(ProgType::SchedCls)
    );
}

#[test]
fn maps_come_from_btf_legacy_and_global_data() {
    let obj = fixture("relocations");
    let maps: Vec<_> = obj
        .maps
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.map_type,
                m.key_size,
                m.value_size,
                m.max_entries,
            )
        })
        .collect();
    assert_eq!(&maps[0], &("legacy", MapType::Array, 4, 8, 4));
    assert_eq!(&maps[1], &("events", MapType::Ringbuf, 0, 0, 4096));
    assert!(maps.contains(&("data", MapType::Array, 4, 8, 1)));
    assert!(maps.contains(&("rodata", MapType::Array, 4, 4, 1)));
    assert!(maps.contains(&("bss", MapType::Array, 4, 8, 1)));
    let obj = fixture("map_lookup_throw");
    assert_eq!(obj.maps[0].name, "counters");
    assert_eq!(
        (
            obj.maps[0].map_type,
            obj.maps[0].key_size,
            obj.maps[0].value_size,
            obj.maps[0].max_entries
        ),
        (MapType::Hash, 4, 8, 16)
    );
}

#[test]
fn relocations_resolve_to_maps_data_and_functions() {
    use unwind_isa::{Imm64Kind, Insn, Slot};
    let obj = fixture("relocations");
    let index = |n: &str| obj.maps.iter().position(|m| m.name == n).unwrap() as u64;
    let (_, p) = program(&obj, "loop_prog");
    let loads: Vec<(Imm64Kind, u64)> = p
        .decode()
        .iter()
        .filter_map(|s| match s {
            Slot::Insn(Insn::LdImm64 { kind, imm, .. }) => Some((*kind, *imm)),
            _ => None,
        })
        .collect();
    // limit (.data), the callback, counter (.bss) in main; counter in the callback; factor
    // (.rodata) in twice.
    assert_eq!(loads[0], (Imm64Kind::MapValue, index("data")));
    assert_eq!(loads[1].0, Imm64Kind::Func);
    assert_eq!(loads[2], (Imm64Kind::MapValue, index("bss")));
    assert!(loads.contains(&(Imm64Kind::MapValue, index("rodata"))));
    let names: Vec<_> = p.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["loop_prog", "add_index", "twice"]);
    let (_, p) = program(&obj, "legacy_lookup");
    assert!(p.decode().iter().any(|s| matches!(
        s,
        Slot::Insn(Insn::LdImm64 {
            kind: Imm64Kind::MapFd,
            imm: 0,
            ..
        })
    )));
    // Both programs got their own copy of `twice`.
    assert!(p.functions.iter().any(|f| f.name == "twice"));
}

#[test]
fn global_functions_get_their_btf_argument_kinds() {
    let obj = fixture("relocations");
    let (_, p) = program(&obj, "legacy_lookup");
    let f = |n: &str| p.functions.iter().find(|f| f.name == n).unwrap().clone();
    assert_eq!(f("global_args").linkage, Linkage::Global);
    assert_eq!(
        f("global_args").args,
        [GlobalArg::Ctx, GlobalArg::Scalar, GlobalArg::Mem(16)]
    );
    // `void *ctx __arg_ctx` and `__arg_nonnull`.
    assert_eq!(
        f("global_tagged").args,
        [GlobalArg::Ctx, GlobalArg::Mem(16)]
    );
    assert_eq!(f("twice").linkage, Linkage::Static);
    let obj = fixture("global_loophole");
    let (_, p) = program(&obj, "global_loophole");
    assert_eq!(p.functions[1].name, "global_may_throw");
    assert_eq!(p.functions[1].linkage, Linkage::Global);
    assert_eq!(p.functions[1].args, [GlobalArg::Ctx]);
}

#[test]
fn the_exception_callback_is_found() {
    for name in ["exception_callback", "map_lookup_throw"] {
        let obj = fixture(name);
        let (_, p) = program(&obj, name);
        let cb = p.exception_callback().expect("callback");
        assert_eq!(cb.name, "on_exception");
        assert_eq!(cb.args, [GlobalArg::Scalar]);
    }
    assert!(program(&fixture("global_loophole"), "global_loophole")
        .1
        .exception_callback()
        .is_none());
}

/// The events that do not depend on register allocation: acquisitions, releases (and by
/// whom), throws, leaks, the exception callback and the exit with its value.
fn events(p: &Program, mode: Mode) -> Vec<String> {
    let verdict = verify(
        p,
        &unwind_verifier::Options {
            log_level: 0,
            mode,
            ..unwind_verifier::Options::default()
        },
    );
    assert!(verdict.accepted);
    let runnable = unwind_verifier::runnable(p, &verdict, mode).expect("runnable");
    let config = Config {
        unwinding: runnable.unwinding,
        ..Config::default()
    };
    let mut m = Machine::new(&runnable.program, &World::default(), config).expect("machine");
    m.run();
    let mut out: Vec<String> = m
        .kernel
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Acquire { function, .. } => Some(format!("acquire {function}")),
            EventKind::Release { function, by, .. } => Some(format!("release {function} {by:?}")),
            EventKind::Throw { .. } => Some("throw".to_string()),
            EventKind::Leak { .. } => Some("leak".to_string()),
            EventKind::ExceptionCallback { .. } => Some("exception_callback".to_string()),
            EventKind::Exit { return_value } => Some(format!("exit {return_value}")),
            _ => None,
        })
        .collect();
    if let Status::Exited { return_value } = m.status {
        out.push(format!("returned {return_value}"));
    }
    out
}

#[test]
fn scenarios_verify_and_run_as_their_hand_written_assembly() {
    for (object, asm) in [
        ("global_loophole", "global-loophole.s"),
        ("callee_saved", "callee-saved.s"),
        ("exception_callback", "exception-callback.s"),
        ("map_lookup_throw", "map-lookup-throw.s"),
    ] {
        let obj = fixture(object);
        let (_, from_c) = program(&obj, object);
        let by_hand = example(asm);
        for mode in Mode::ALL {
            let opts = unwind_verifier::Options {
                log_level: 0,
                mode,
                ..unwind_verifier::Options::default()
            };
            let (c, h) = (verify(from_c, &opts), verify(&by_hand, &opts));
            assert_eq!(
                c.accepted, h.accepted,
                "{object} in {mode:?}: C {:?}, assembly {:?}",
                c.errors, h.errors
            );
            if h.accepted {
                assert_eq!(
                    events(from_c, mode),
                    events(&by_hand, mode),
                    "{object} in {mode:?}"
                );
            }
        }
    }
}

#[test]
fn the_loophole_verdicts_are_the_articles() {
    let obj = fixture("global_loophole");
    let (_, p) = program(&obj, "global_loophole");
    let accepted = |mode| {
        verify(
            p,
            &unwind_verifier::Options {
                log_level: 0,
                mode,
                ..unwind_verifier::Options::default()
            },
        )
        .accepted
    };
    assert!(accepted(Mode::Legacy));
    assert!(!accepted(Mode::Upstream));
    assert!(accepted(Mode::Cleanup));
}

#[test]
fn disassembly_with_c_lines_reassembles_to_the_same_bytes_and_line_info() {
    for name in FIXTURES {
        let obj = fixture(name);
        for p in obj.programs.iter().filter(|p| p.program.is_ok()) {
            let text =
                unwind_program::disasm::disassemble(p.program.as_ref().unwrap(), Style::Source);
            assert!(
                text.contains(&format!("{name}.c\" ")) && text.contains("\t.loc \""),
                "{name}: C lines\n{text}"
            );
            let again = unwind_asm::assemble(&text);
            let again = again
                .program
                .unwrap_or_else(|| panic!("{name}/{}: {:?}\n{text}", p.name, again.diagnostics));
            let loaded = p.program.as_ref().unwrap();
            assert_eq!(again.slots, loaded.slots, "{name}/{}", p.name);
            assert_eq!(again.line_info, loaded.line_info, "{name}/{}", p.name);
            assert_eq!(again.maps.len(), loaded.maps.len());
            let sig = |q: &Program| -> Vec<_> {
                q.functions
                    .iter()
                    .map(|f| (f.start, f.linkage, f.args.clone(), f.is_exception_callback))
                    .collect()
            };
            assert_eq!(sig(&again), sig(loaded), "{name}/{}", p.name);
        }
    }
}

#[test]
fn objects_are_up_to_date_with_their_sources() {
    let script = format!(
        "{}/../../scripts/build-objects.sh",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg("--check")
        .output()
        .expect("bash runs");
    match out.status.code() {
        Some(77) => println!(
            "note: clang-19 not found; the fixtures' freshness is not checked ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Some(0) => {}
        _ => panic!(
            "the committed objects are stale:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn bpf_obj_new_impl_takes_the_size_of_its_type() {
    use unwind_isa::{CallTarget, Imm64Kind, Insn};
    let obj = fixture("global_loophole");
    let (_, p) = program(&obj, "global_loophole");
    // `bpf_obj_new(struct obj)`: `r1 = <local type id> ll` (a CO-RE relocation) becomes the
    // size of struct obj, and the call is the catalogue's bpf_obj_new.
    assert_eq!(
        p.insn(1),
        Some(Insn::LdImm64 {
            dst: unwind_isa::Reg::new(1).unwrap(),
            kind: Imm64Kind::Imm,
            imm: 16
        })
    );
    let unwind_kernel::CallRef::Kfunc { btf_id } =
        unwind_kernel::resolve_call_name("bpf_obj_new").unwrap()
    else {
        panic!("a kfunc")
    };
    assert_eq!(p.insn(4), Some(Insn::Call(CallTarget::Kfunc(btf_id))));
}

#[test]
fn the_verifier_log_prints_the_c_lines_as_the_kernel() {
    let obj = fixture("global_loophole");
    let (_, p) = program(&obj, "global_loophole");
    let v = verify(
        p,
        &unwind_verifier::Options {
            log_level: 2,
            mode: Mode::Upstream,
            ..unwind_verifier::Options::default()
        },
    );
    // `verbose_linfo()`: the record covering the instruction, before it, when it is not the
    // one printed last.
    assert!(
        v.log
            .contains("; global_may_throw(skb); @ global_loophole.c:24\n7: (bf) r1 = r6"),
        "{}",
        v.log
    );
    assert!(v.log.contains(
        "0: R1=ctx() R10=fp0\n; int global_loophole(struct __sk_buff *skb) @ global_loophole.c:18\n0: (bf) r6 = r1"
    ));
    // The hidden trampoline keeps the C lines at the instructions' new pcs.
    let cleanup = verify(
        p,
        &unwind_verifier::Options {
            log_level: 0,
            mode: Mode::Cleanup,
            ..unwind_verifier::Options::default()
        },
    );
    let loaded = unwind_verifier::runnable(p, &cleanup, Mode::Cleanup)
        .unwrap()
        .program;
    assert_eq!(loaded.line_info.len(), p.line_info.len());
    for (a, b) in loaded.line_info.iter().zip(&p.line_info) {
        assert_eq!((a.line, &a.text), (b.line, &b.text));
        assert_eq!(loaded.slots[a.pc], p.slots[b.pc], "line {}", a.line);
    }
}

#[test]
fn global_data_keeps_its_initial_contents() {
    let obj = fixture("relocations");
    let data: Vec<(&str, &[u8])> = obj
        .initial_data
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    // `__u64 limit = 7;` and `const volatile __u32 factor = 3;`; `.bss` starts zeroed.
    assert!(
        data.contains(&("data", &7u64.to_le_bytes()[..])),
        "{data:?}"
    );
    assert!(
        data.contains(&("rodata", &3u32.to_le_bytes()[..])),
        "{data:?}"
    );
    assert!(!data.iter().any(|(n, _)| *n == "bss"));
}
