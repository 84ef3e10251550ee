//! The file-driven suite: every `cases/*.s` is a case file in the grammar of the
//! `unwind-casefile` crate (see `cases/README.md`): `; MODE: accept|reject` header lines,
//! `; log: TEXT` header lines (found in the log, in order), `; log-level: N`, and
//! `; error: TEXT` / `; log: TEXT` annotations on the line they are about. Each stated mode is
//! verified. All failures are collected and reported together, as `file:line: message`.

use unwind_casefile::{check_verify, ErrorAt, Outcome, Verdict};
use unwind_verifier::{verify, Mode, Options};

#[test]
fn cases() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 255, "only {} cases", paths.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &paths {
        let src = std::fs::read_to_string(p).unwrap();
        let name = format!("tests/cases/{}", p.file_name().unwrap().to_string_lossy());
        let case = match unwind_casefile::parse(&src) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}:{}: {e}", e.line()));
                continue;
            }
        };
        let asm = unwind_asm::assemble(&src);
        let Some(prog) = asm.program else {
            failures.push(format!("{name}: does not assemble: {:?}", asm.diagnostics));
            continue;
        };
        for (mode, stated) in case.stated_modes() {
            // This suite does not run programs: `accept` takes no run keys here.
            if let Verdict::Accept(run) = &stated.verdict {
                if !run.is_empty() {
                    failures.push(format!(
                        "{name}:{}: run keys are checked only by the CLI's exception suite",
                        stated.line
                    ));
                }
            }
            let mut opts = Options::default();
            if let Some(l) = case.log_level {
                opts.log_level = l;
            }
            opts.mode = mode.parse::<Mode>().expect("a mode name");
            let v = verify(&prog, &opts);
            checked += 1;
            let out = Outcome {
                accepted: v.accepted,
                errors: v
                    .errors
                    .iter()
                    .map(|e| ErrorAt {
                        pc: e.pc,
                        line: e.line,
                        message: e.message.clone(),
                    })
                    .collect(),
                log: &v.log,
                lines: prog.spans.iter().map(|s| s.line).collect(),
            };
            for f in check_verify(&case, mode, &out) {
                failures.push(format!("{name}:{}: [{mode}] {}", f.line, f.message));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {} cases ({checked} file x mode checks):\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// The case files name modes as the verifier does (`docs/names.md`).
#[test]
fn case_files_name_every_mode() {
    assert_eq!(unwind_casefile::MODES, Mode::NAMES);
}
