//! The kernel's verifier selftests that carry a `__retval` (the result of a `BPF_PROG_TEST_RUN`
//! on 64 zero bytes of packet): the interpreter must return the same value (compared as a
//! 32-bit int, as the kernel does). Reads the generated corpus (`../shared/tools/kselftests/
//! generate.sh OUTDIR`; `UNWIND_KSELFTESTS_DIR`, default `target/kselftests`); skipped with a
//! note when it is absent.

use std::path::{Path, PathBuf};

use unwind_vm::world::MapEntry;
use unwind_vm::{Config, FaultKind, Machine, Status, World};

/// What the selftests' harness (tools/testing/selftests/bpf/prog_tests/verifier.c) puts in
/// maps before running a file's programs: `init_test_val_map` stores, at key 0, a
/// `struct test_val { unsigned index; int foo[11]; }` with `index = (6 + 1) * sizeof(int)` and
/// `foo[6] = 0xabcdef12`, in these maps of these files.
fn harness_world(file: &str) -> World {
    let maps: &[&str] = match file {
        "verifier_array_access.c" => &["map_array_ro", "map_array_wo"],
        "verifier_value_ptr_arith.c" => &["map_array_48b"],
        _ => &[],
    };
    let mut value = [0u8; 48];
    value[..4].copy_from_slice(&28u32.to_le_bytes());
    value[4 + 6 * 4..4 + 7 * 4].copy_from_slice(&0xabcd_ef12u32.to_le_bytes());
    let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
    let mut world = World::default();
    for m in maps {
        world.maps.insert(
            (*m).to_string(),
            vec![MapEntry {
                key: "00000000".into(),
                value: hex.clone(),
            }],
        );
    }
    world
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("UNWIND_KSELFTESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/kselftests"));
    dir.join("INDEX.tsv").is_file().then_some(dir)
}

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("// {key}: ")))
        .map(str::trim)
}

#[test]
fn kernel_test_run_results_agree() {
    let Some(dir) = corpus() else {
        eprintln!("note: no generated kselftests corpus (target/kselftests); skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    let (mut checked, mut not_modelled, mut failures) = (0, 0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (Some("accept"), Some(retval)) =
            (header(&text, "expect"), header(&text, "expect-retval"))
        else {
            continue;
        };
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let assembly = unwind_asm::assemble(&text);
        let Some(program) = assembly.program else {
            failures.push(format!("{name}: does not assemble"));
            continue;
        };
        let file = header(&text, "kselftest")
            .and_then(|k| k.split(" / ").next())
            .unwrap_or("");
        let mut world = harness_world(file);
        // Maps the program does not declare (the file's other tests use them) are left out.
        world
            .maps
            .retain(|name, _| program.maps.iter().any(|m| &m.name == name));
        let mut m = Machine::new(&program, &world, Config::default()).unwrap();
        m.run();
        if let Status::Faulted { fault } = &m.status {
            if matches!(fault.kind, FaultKind::UnknownHelper { .. }) {
                // Tier T4: a helper outside the simulated kernel's catalogue.
                not_modelled += 1;
                continue;
            }
        }
        checked += 1;
        match (&m.status, retval) {
            (Status::Exited { .. }, "any") => {}
            (Status::Exited { return_value }, want) => {
                let want: i64 = want.parse().unwrap();
                if *return_value as u32 != want as u32 {
                    failures.push(format!(
                        "{name}: r0 = {} ({return_value:#x}), kernel {want}",
                        *return_value as u32 as i32
                    ));
                }
            }
            (Status::Faulted { fault }, want) => {
                failures.push(format!("{name}: fault ({fault}), kernel {want}"))
            }
            (Status::Running, _) => unreachable!(),
        }
    }
    eprintln!(
        "{checked} kselftests with a kernel test-run result compared, {} disagree; \
         {not_modelled} call helpers outside the catalogue",
        failures.len()
    );
    assert!(checked > 200, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every program the kernel accepts runs here without a fault (besides helpers outside the
/// catalogue): what the kernel's verifier proves safe, the interpreter's checks must allow.
#[test]
fn programs_the_kernel_accepts_run_without_faults() {
    let Some(dir) = corpus() else {
        eprintln!("note: no generated kselftests corpus (target/kselftests); skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    let (mut ran, mut failures) = (0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if header(&text, "expect") != Some("accept") {
            continue;
        }
        let Some(program) = unwind_asm::assemble(&text).program else {
            continue;
        };
        let file = header(&text, "kselftest")
            .and_then(|k| k.split(" / ").next())
            .unwrap_or("");
        let mut world = harness_world(file);
        world
            .maps
            .retain(|name, _| program.maps.iter().any(|m| &m.name == name));
        let mut m = Machine::new(&program, &world, Config::default()).unwrap();
        m.run();
        if let Status::Faulted { fault } = &m.status {
            if !matches!(fault.kind, FaultKind::UnknownHelper { .. }) {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                failures.push(format!("{name}: {fault}"));
            }
        }
        ran += 1;
    }
    eprintln!("{ran} accepted kselftests run, {} fault", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
