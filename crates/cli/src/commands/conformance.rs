//! `unwind conformance DIR [--json]`: runs every `.data` file of a BPF conformance-suite folder
//! with the suite's helper table; one line per file, then `N passed, M failed`. Exit 0 only
//! when none failed (1 otherwise, 2 when the folder cannot be read).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use unwind_asm::{assemble_with, Options, Syntax};
use unwind_program::Program;
use unwind_vm::conformance::{run_case, Case, Outcome};

use super::{Output, EXIT_OK};
use crate::args::{ArgsError, Command, Topic};
use crate::options::{self, Opt, Spec};

/// Exit code when a file failed.
pub const EXIT_FAILED: u8 = 1;

/// Instruction budget per file (the suite's programs are short; a loop that does not end is a
/// failure, not a hang).
pub const BUDGET: u64 = 10_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConformanceArgs {
    pub dir: PathBuf,
    pub json: bool,
}

/// Parses `conformance`'s arguments.
pub fn parse(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [Opt::flag("--json", |a: &mut ConformanceArgs| a.json = true)];
    let spec = Spec {
        command: "conformance",
        topic: Topic::Conformance,
        options: &options,
        finish: |mut a, dir| {
            a.dir = PathBuf::from(dir);
            Command::Conformance(a)
        },
    };
    let defaults = ConformanceArgs {
        dir: PathBuf::new(),
        json: false,
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
Usage: unwind conformance DIR [--json]

Runs every .data file of a BPF conformance-suite folder (for example ../shared/conformance):
the `-- asm` section in the uBPF dialect (or `-- raw` instruction words), with R1 pointing to
the `-- mem` bytes and R2 their length, and the suite's helper table (helper 5, `unwind`,
returns its argument and stops the program with 0 when that is 0). Prints one line per file
(`pass NAME` or `FAIL NAME: why`) and a last line `N passed, M failed`.

Options:
  --json             print one JSON object: files [{file, passed, return_value, expected,
                     error}], passed, failed
  -h, --help         print this help

Exit codes: 0 every file passed, 1 some failed, 2 unusable input.
";

#[derive(Serialize)]
struct FileResult {
    file: String,
    passed: bool,
    return_value: Option<String>,
    expected: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    files: Vec<FileResult>,
    passed: usize,
    failed: usize,
}

pub fn run(args: &ConformanceArgs) -> Output {
    let entries = match std::fs::read_dir(&args.dir) {
        Ok(e) => e,
        Err(e) => return Output::unusable(format_args!("cannot read {}: {e}", args.dir.display())),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "data"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Output::unusable(format_args!("{}: no .data files", args.dir.display()));
    }
    let results: Vec<FileResult> = files.iter().map(|f| run_file(f)).collect();
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    let stdout = if args.json {
        let summary = Summary {
            files: results,
            passed,
            failed,
        };
        let mut s = serde_json::to_string_pretty(&summary).unwrap_or_default();
        s.push('\n');
        s
    } else {
        let mut s = String::new();
        for r in &results {
            match (&r.error, r.passed) {
                (_, true) => s += &format!("pass {}\n", r.file),
                (Some(e), _) => s += &format!("FAIL {}: {e}\n", r.file),
                (None, _) => s += &format!("FAIL {}\n", r.file),
            }
        }
        s += &format!("{passed} passed, {failed} failed\n");
        s
    };
    Output {
        stdout,
        stderr: String::new(),
        code: if failed == 0 { EXIT_OK } else { EXIT_FAILED },
    }
}

fn run_file(path: &Path) -> FileResult {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |error: String| FileResult {
        file: file.clone(),
        passed: false,
        return_value: None,
        expected: None,
        error: Some(error),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read: {e}")),
    };
    let case = match Case::parse(&text) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let program = match program(&case) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let expected = case.result.map(|v| format!("{v:#x}"));
    match run_case(&program, &case, BUDGET) {
        Outcome::Returned(v) => {
            let passed = Some(v) == case.result;
            FileResult {
                error: (!passed).then(|| match case.result {
                    Some(want) => format!("r0 = {v:#x}, expected {want:#x}"),
                    None => "the file has no -- result".to_string(),
                }),
                file,
                passed,
                return_value: Some(format!("{v:#x}")),
                expected,
            }
        }
        Outcome::Faulted(f) => FileResult {
            expected,
            ..fail(format!("fault at pc {}: {}", f.pc, f.message))
        },
    }
}

fn program(case: &Case) -> Result<Program, String> {
    if let Some(asm) = &case.asm {
        let a = assemble_with(
            asm,
            &Options {
                syntax: Syntax::Ubpf,
            },
        );
        return match a.program {
            Some(p) if a.diagnostics.is_empty() => Ok(p),
            _ => Err(format!(
                "does not assemble: {}",
                a.diagnostics
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        };
    }
    case.raw
        .clone()
        .map(Program::from_slots)
        .ok_or_else(|| "no -- asm or -- raw section".to_string())
}
