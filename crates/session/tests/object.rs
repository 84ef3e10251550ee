//! `open_object`: a BPF object file's programs as assembly text that verifies and runs as the
//! object's own programs do, with the kernel log's C lines.

use unwind_session::{open_object, verify, DebugOptions, Debugger, VerifyOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../object/tests/fixtures/{name}.o",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_programs_text_verifies_as_the_object_does_with_its_c_lines() {
    let bytes = fixture("global_loophole");
    let view = open_object(&bytes);
    assert_eq!(view.error, None);
    let object = unwind_object::load(&bytes).unwrap();
    assert_eq!(view.programs.len(), object.programs.len());
    for (p, loaded) in view.programs.iter().zip(&object.programs) {
        assert_eq!(p.name, loaded.name);
        let Ok(program) = &loaded.program else {
            assert!(p.error.is_some() && p.source.is_none());
            continue;
        };
        let source = p.source.as_deref().expect("a loadable program has text");
        assert_eq!(p.c_file.as_deref(), Some("global_loophole.c"));
        for mode in ["legacy", "upstream", "cleanup"] {
            let options = VerifyOptions {
                mode: Some(mode.into()),
                ..VerifyOptions::default()
            };
            let report = verify(source, &options).unwrap();
            let direct = unwind_verifier::verify(
                program,
                &unwind_verifier::Options {
                    mode: mode.parse().unwrap(),
                    ..unwind_verifier::Options::default()
                },
            );
            assert_eq!(
                report.verdict.accepted, direct.accepted,
                "{} {mode}",
                p.name
            );
            // The same log (the C lines included), the text's own error positions aside.
            assert_eq!(report.verdict.log, direct.log, "{} {mode}", p.name);
        }
        let upstream = verify(
            source,
            &VerifyOptions {
                mode: Some("upstream".into()),
                ..VerifyOptions::default()
            },
        )
        .unwrap();
        assert!(
            upstream
                .verdict
                .log
                .contains("; global_may_throw(skb); @ global_loophole.c:24\n"),
            "{}",
            upstream.verdict.log
        );
        // The error is at the text's line of the call, under the `.loc` of C line 24.
        let error = &upstream.verdict.errors[0];
        let lines: Vec<&str> = source.lines().collect();
        let at = error.line as usize - 1;
        assert!(lines[at].contains("call global_may_throw"), "{}", lines[at]);
        let loc = lines[..at]
            .iter()
            .rev()
            .find(|l| l.contains(".loc"))
            .unwrap();
        assert!(loc.contains(" 24:2 "), "{loc}");
    }
}

#[test]
fn global_data_starts_as_the_object_says_in_a_run() {
    // relocations.c's `.data` holds `limit = 7`, which loop_prog gives bpf_loop (and returns
    // 7 in the CLI's run, crates/cli/tests/objects.rs).
    let bytes = fixture("relocations");
    let view = open_object(&bytes);
    let p = view
        .programs
        .iter()
        .find(|p| p.name == "loop_prog")
        .unwrap();
    assert!(p.world_maps.contains_key("data"), "{:?}", p.world_maps);
    let world = unwind_vm::World {
        maps: p.world_maps.clone(),
        ..unwind_vm::World::default()
    };
    let options = DebugOptions {
        world: Some(world),
        ..DebugOptions::default()
    };
    let mut with = Debugger::new(p.source.as_deref().unwrap(), &options).unwrap();
    with.run();
    let mut without =
        Debugger::new(p.source.as_deref().unwrap(), &DebugOptions::default()).unwrap();
    without.run();
    let r0 = |d: &Debugger| serde_json::to_value(d.state()).unwrap()["return_value"].clone();
    assert_eq!(r0(&with), "7", "{:?}", with.state().error);
    // Zeroed maps: `factor` reads 0, so twice(2) is 2 * 2 + 0.
    assert_eq!(r0(&without), "4");
}

#[test]
fn what_is_not_an_object_is_an_error_not_a_panic() {
    let bytes = fixture("global_loophole");
    for bad in [b"not an elf".to_vec(), bytes[..100].to_vec(), {
        let mut b = bytes.clone();
        b[18] = 62; // e_machine: x86-64
        b
    }] {
        let view = open_object(&bad);
        assert!(view.error.is_some() && view.programs.is_empty(), "{view:?}");
    }
    let huge = vec![0u8; unwind_session::MAX_OBJECT_BYTES + 1];
    let view = open_object(&huge);
    assert!(view.error.unwrap().contains("at most"));
}
