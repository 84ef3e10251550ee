//! External corpora, read when present: the BPF conformance suite (`../shared/conformance`,
//! uBPF dialect) and the cases generated from the kernel's verifier selftests
//! (`../shared/tools/kselftests/generate.sh OUTDIR`, pseudo-C; set `UNWIND_KSELFTESTS_DIR`,
//! default `target/kselftests`). `make test` generates the latter when `../shared` exists.

use std::path::{Path, PathBuf};

use unwind_asm::{assemble, assemble_with, Options, Syntax};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lines of a `-- NAME` section of a conformance `.data` file; other lines become blank,
/// so line numbers stay those of the file.
fn section(text: &str, name: &str) -> Option<String> {
    let mut out = String::new();
    let mut on = false;
    let mut found = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("-- ") {
            on = rest.trim() == name;
            found |= on;
            out.push('\n');
            continue;
        }
        out.push_str(if on { line } else { "" });
        out.push('\n');
    }
    found.then_some(out)
}

#[test]
fn every_conformance_file_assembles() {
    let dir = workspace().join("../shared/conformance");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "note: {} is absent; conformance corpus not checked",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let asm = section(&text, "asm").map(|s| {
            assemble_with(
                &s,
                &Options {
                    syntax: Syntax::Ubpf,
                },
            )
        });
        let raw = section(&text, "raw").map(|s| {
            assemble_with(
                &s,
                &Options {
                    syntax: Syntax::Hex,
                },
            )
        });
        for a in asm.iter().chain(raw.iter()) {
            for d in &a.diagnostics {
                failures.push(format!("{name}:{d}"));
            }
        }
        // Where a file has both, the assembled text and the raw words must agree.
        if let (Some(Some(a)), Some(Some(r))) = (
            asm.as_ref().map(|a| a.program.as_ref()),
            raw.as_ref().map(|r| r.program.as_ref()),
        ) {
            if a.slots != r.slots {
                failures.push(format!("{name}: -- asm and -- raw differ"));
            }
        }
        if asm.is_none() && raw.is_none() {
            failures.push(format!("{name}: no program section"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(files.len(), 225, "the suite has 225 test files");
}

#[test]
fn every_kselftest_case_assembles() {
    let dir = std::env::var_os("UNWIND_KSELFTESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/kselftests"));
    let Ok(index) = std::fs::read_to_string(dir.join("INDEX.tsv")) else {
        eprintln!(
            "note: no generated kselftests corpus at {}; run `make kselftests-corpus`",
            dir.display()
        );
        return;
    };
    // INDEX.tsv: a header, one row per case (`file test tier ...`), a `# summary:` line.
    let cases: Vec<(String, String)> = index
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.to_string()))
        })
        .collect();
    assert!(!cases.is_empty(), "INDEX.tsv lists no case");
    let mut failures = Vec::new();
    for (file, test) in &cases {
        let stem = file.trim_end_matches(".c");
        let path = dir.join(format!("{stem}__{test}.s"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{}: missing", path.display()));
            continue;
        };
        let a = assemble(&text);
        if a.syntax != Syntax::PseudoC {
            failures.push(format!("{}: detected as {:?}", path.display(), a.syntax));
        }
        for d in a.diagnostics.iter().take(3) {
            failures.push(format!("{}:{d}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!("{} kselftest cases assembled", cases.len());
}
