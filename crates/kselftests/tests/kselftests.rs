//! The kernel's verifier selftests that carry a `__retval` (the result of a `BPF_PROG_TEST_RUN`
//! on 64 zero bytes of packet): the interpreter must return the same value (compared as a
//! 32-bit int, as the kernel does). Reads the generated corpus (`../shared/tools/kselftests/
//! generate.sh OUTDIR`; `UNWIND_KSELFTESTS_DIR`, default `target/kselftests`); skipped with a
//! note when it is absent.

use std::path::{Path, PathBuf};

use unwind_kselftests::harness_world;
use unwind_vm::{Config, FaultKind, Machine, Status};

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
        let world = harness_world(file, &program);
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
        let world = harness_world(file, &program);
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
