//! The file-driven suite: every `cases/*.s` carries `// expect: accept|reject` and
//! `// expect-msg: TEXT` lines (found in the log, in order). All failures are collected and
//! reported together.

use unwind_verifier::{verify, Options};

#[test]
fn cases() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 150, "only {} cases", paths.len());
    let mut failures = Vec::new();
    for p in &paths {
        let src = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let accept = src.contains("// expect: accept");
        let msgs: Vec<&str> = src
            .lines()
            .filter_map(|l| l.strip_prefix("// expect-msg: "))
            .collect();
        let asm = unwind_asm::assemble(&src);
        let Some(prog) = asm.program else {
            failures.push(format!("{name}: does not assemble: {:?}", asm.diagnostics));
            continue;
        };
        // `// mode: M` picks the exception mode (default cleanup).
        let mut opts = Options::default();
        if let Some(l) = src.lines().find_map(|l| l.strip_prefix("// log-level: ")) {
            opts.log_level = l.trim().parse().expect("a log level");
        }
        if let Some(m) = src.lines().find_map(|l| l.strip_prefix("// mode: ")) {
            opts.mode = m.trim().parse().expect("a mode name");
        }
        let v = verify(&prog, &opts);
        if v.accepted != accept {
            failures.push(format!(
                "{name}: expected {}, got {}: {:?}",
                if accept { "accept" } else { "reject" },
                if v.accepted { "accept" } else { "reject" },
                v.errors.first().map(|e| &e.message)
            ));
            continue;
        }
        let mut pos = 0;
        for m in &msgs {
            match v.log[pos..].find(m) {
                Some(i) => pos += i + m.len(),
                None => {
                    failures.push(format!("{name}: message {m:?} not in log:\n{}", v.log));
                    break;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
