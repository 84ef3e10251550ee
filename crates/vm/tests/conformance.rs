//! The BPF conformance suite (`../shared/conformance`, read in place): every `.data` file must
//! give its expected R0. Skipped, with a note, when the folder is absent.

use std::path::{Path, PathBuf};

use unwind_asm::{assemble_with, Options, Syntax};
use unwind_program::Program;
use unwind_vm::conformance::{run_case, Case, Outcome};

fn suite() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    dir.is_dir().then_some(dir)
}

fn program(case: &Case) -> Result<Program, String> {
    if let Some(asm) = &case.asm {
        let a = assemble_with(
            asm,
            &Options {
                syntax: Syntax::Ubpf,
            },
        );
        return a.program.ok_or_else(|| {
            a.diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        });
    }
    case.raw
        .clone()
        .map(Program::from_slots)
        .ok_or_else(|| "no program".into())
}

#[test]
fn every_conformance_file_passes() {
    let Some(dir) = suite() else {
        eprintln!("note: ../shared/conformance not found; conformance test skipped");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 225, "the suite has 225 files");
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).unwrap();
        let case = Case::parse(&text).unwrap();
        let program = match program(&case) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: does not assemble: {e}"));
                continue;
            }
        };
        // The raw section, where present, must be the same program.
        if let (Some(raw), Some(_)) = (&case.raw, &case.asm) {
            assert_eq!(raw, &program.slots, "{name}: asm and raw differ");
        }
        match run_case(&program, &case, 1_000_000) {
            Outcome::Returned(v) if Some(v) == case.result => {}
            Outcome::Returned(v) => {
                failures.push(format!("{name}: r0 = {v:#x}, expected {:#x?}", case.result))
            }
            Outcome::Faulted(f) => failures.push(format!("{name}: {f}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
