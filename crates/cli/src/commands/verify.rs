//! `unwind verify FILE [--json] [--log-level N] [--log-size BYTES] [--mode M]`: assemble and verify a program;
//! print the verifier log (and the error with its source line), or the verdict as JSON.
//!
//! Exit codes (SPEC §6): 0 accepted, 1 rejected, 2 unusable input.

use std::ffi::OsString;

use unwind_verifier::{verify, Mode, MAX_LOG_SIZE, MIN_LOG_SIZE};

use super::Output;
use crate::args::{ArgsError, Command, Input, Topic};
use crate::options::{self, named, number, Opt, Spec, MODE_VALUES};

/// Exit code: the verifier rejected the program.
pub const EXIT_REJECTED: u8 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyArgs {
    pub input: Input,
    pub json: bool,
    pub log_level: u32,
    /// The kernel's log buffer (`log_size`); `None`: the whole log.
    pub log_size: Option<u32>,
    pub mode: Mode,
    /// Also ask the running kernel's verifier (`--compare-kernel`).
    pub compare_kernel: bool,
    /// For an object file: the program to verify (all of them when `None`).
    pub prog: Option<String>,
}

const LEVELS: &str = "0, 1 or 2";
const LOG_SIZES: &str = "a number of bytes from 128 to 1073741823";

/// Parses `verify`'s arguments.
pub fn parse(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [
        Opt::flag("--json", |a: &mut VerifyArgs| a.json = true),
        Opt::flag("--compare-kernel", |a: &mut VerifyArgs| {
            a.compare_kernel = true
        }),
        Opt::value("--log-level", LEVELS, |a, v| {
            a.log_level = number(v, 0, 2)?;
            Some(())
        }),
        Opt::value("--log-size", LOG_SIZES, |a, v| {
            a.log_size = Some(number(v, MIN_LOG_SIZE, MAX_LOG_SIZE)?);
            Some(())
        }),
        Opt::value("--mode", MODE_VALUES.as_str(), |a, v| {
            a.mode = named(v)?;
            Some(())
        }),
        Opt::value("--prog", "a program name", |a, v| {
            a.prog = Some(v.to_string());
            Some(())
        }),
    ];
    let spec = Spec {
        command: "verify",
        topic: Topic::Verify,
        options: &options,
        finish: |mut a, file| {
            a.input = Input::from_arg(file);
            Command::Verify(a)
        },
    };
    let defaults = VerifyArgs {
        input: Input::Stdin,
        json: false,
        log_level: 1,
        log_size: None,
        mode: Mode::default(),
        compare_kernel: false,
        prog: None,
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
Usage: unwind verify FILE [--json] [--log-level N] [--log-size BYTES] [--mode M] [--prog NAME]
                          [--compare-kernel]

Assembles FILE ('-' for standard input) and verifies it as the kernel's verifier would (Linux
6.12 rules, privileged load). Prints the verifier log in the kernel's format and, when the
program is rejected, the error at its source line.

FILE may also be a BPF object file (clang -target bpf -g; docs/objects.md): each of its
programs is verified (or the one --prog names), one verdict each, the log with the C source
lines (`; text @ file:line`) as the kernel prints them from line_info.

Options:
  --log-level N      0 (errors only), 1 (default: the failing path and the summary line) or 2
                     (every instruction with the registers and stack slots it touched)
  --log-size BYTES   the kernel's log buffer (log_size, 128 to 1073741823; default: the whole
                     log): a log that does not fit keeps its end and the load fails with
                     ENOSPC (rejected, with an error saying how many bytes the log needed)
  --mode M           how exceptions are treated: legacy (v6.7, with the global-subprog
                     loophole), upstream (today's kernel), cleanup (default; the RFC's frame
                     descriptors), cleanup-v2 (cleanup, resolving merge conflicts by rewriting
                     the program; the rewritten program is printed after the log), runtime
                     (references left to a run-time table)
  --prog NAME        for an object file: verify only the program NAME
  --json             print the verdict as one JSON object: accepted, errors (pc, line, column,
                     message), log, states (per pc), functions (linkage, stack depth,
                     callee-saved registers, might_throw), stats, frame_descriptors (pc,
                     function, slots, paths), rewrite (cleanup-v2), loaded (cleanup modes: the
                     program with the hidden bpf_throw trampoline)
  --compare-kernel   also load the program into the running kernel's verifier (Linux, root
                     or CAP_BPF; nothing is attached) and print both verdicts, both errors and
                     where the two explorations part; compare with --mode upstream (JSON: a
                     \"kernel\" field)
  -h, --help         print this help

Exit codes: 0 accepted, 1 rejected, 2 unusable input.
";

pub fn run(args: &VerifyArgs, bytes: &[u8]) -> Output {
    if unwind_object::is_elf(bytes) {
        return run_object(args, bytes);
    }
    let name = args.input.to_string();
    let (source, program) = match super::assemble_source(&name, bytes) {
        Ok(assembled) => assembled,
        Err(output) => return output,
    };
    let opts = unwind_verifier::Options {
        log_level: args.log_level,
        mode: args.mode,
        record_states: args.json,
        ..unwind_verifier::Options::default()
    };
    let mut verdict = verify(&program, &opts);
    if let Some(size) = args.log_size {
        verdict.fit_log(size as usize, &program.spans);
    }
    let code = if verdict.accepted { 0 } else { EXIT_REJECTED };
    let kernel = args
        .compare_kernel
        .then(|| super::kernel::compare(&program, &verdict, args.mode, None));
    if args.json {
        let mut value = serde_json::to_value(&verdict).unwrap_or_default();
        if let (Some(k), Some(map)) = (&kernel, value.as_object_mut()) {
            map.insert("kernel".into(), k.json());
        }
        let mut stdout = value.to_string();
        stdout.push('\n');
        return Output {
            stdout,
            stderr: String::new(),
            code,
        };
    }
    let mut stderr = String::new();
    for e in &verdict.errors {
        let text = source
            .lines()
            .nth(e.line.saturating_sub(1) as usize)
            .unwrap_or("");
        stderr.push_str(&format!(
            "{name}:{}:{}: error: {}\n  {text}\n",
            e.line, e.column, e.message
        ));
    }
    let mut stdout = verdict.log;
    if let Some(rw) = &verdict.rewrite {
        stdout.push_str(
            "cleanup-v2 rewrote the program (the log and the descriptors are of this):\n",
        );
        stdout.push_str(&rw.disassembly);
    }
    stdout.push_str(if verdict.accepted {
        "verification: accepted\n"
    } else {
        "verification: rejected\n"
    });
    if let Some(k) = &kernel {
        stdout.push_str(&k.text());
    }
    Output {
        stdout,
        stderr,
        code,
    }
}
/// `verify` of an object file: every program (or `--prog`'s), one verdict each.
fn run_object(args: &VerifyArgs, bytes: &[u8]) -> Output {
    let name = args.input.to_string();
    let object = match super::load_object(&name, bytes) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let selected = match super::select_programs(&name, &object, args.prog.as_deref()) {
        Ok(s) => s,
        Err(out) => return out,
    };
    let opts = unwind_verifier::Options {
        log_level: args.log_level,
        mode: args.mode,
        record_states: args.json,
        ..unwind_verifier::Options::default()
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let mut json = Vec::new();
    let (mut any_rejected, mut any_unusable) = (false, false);
    let several = selected.len() > 1;
    for p in selected {
        let header = format!("{} (section {})", p.name, p.section);
        let program = match &p.program {
            Ok(program) => program,
            Err(e) => {
                any_unusable = true;
                stderr.push_str(&format!("unwind: {name}: program {}: {e}\n", p.name));
                json.push(serde_json::json!({
                    "program": p.name, "section": p.section, "error": e.to_string(),
                }));
                if several {
                    stdout.push_str(&format!("== {header}: not loaded: {e}\n"));
                }
                continue;
            }
        };
        let verdict = verify(program, &opts);
        any_rejected |= !verdict.accepted;
        let kernel = args
            .compare_kernel
            .then(|| super::kernel::compare(program, &verdict, args.mode, None));
        if args.json {
            let mut v = serde_json::to_value(&verdict).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("program".into(), p.name.clone().into());
                o.insert("section".into(), p.section.clone().into());
                if let Some(k) = &kernel {
                    o.insert("kernel".into(), k.json());
                }
            }
            json.push(v);
            continue;
        }
        let source = unwind_object::source_text(program);
        let file = unwind_object::main_file(program).unwrap_or(&name);
        for e in &verdict.errors {
            let text = source
                .lines()
                .nth(e.line.saturating_sub(1) as usize)
                .unwrap_or("")
                .trim();
            stderr.push_str(&format!(
                "{name}: {}: {file}:{}:{}: error: {} (pc {})\n  {text}\n",
                p.name, e.line, e.column, e.message, e.pc
            ));
        }
        if several {
            stdout.push_str(&format!("== {header}\n"));
        }
        stdout.push_str(&verdict.log);
        if let Some(rw) = &verdict.rewrite {
            stdout.push_str(
                "cleanup-v2 rewrote the program (the log and the descriptors are of this):\n",
            );
            stdout.push_str(&rw.disassembly);
        }
        stdout.push_str(if verdict.accepted {
            "verification: accepted\n"
        } else {
            "verification: rejected\n"
        });
        if let Some(k) = &kernel {
            stdout.push_str(&k.text());
        }
    }
    if args.json {
        let doc = match json.as_slice() {
            [one] if !several => one.clone(),
            _ => serde_json::json!({ "programs": json }),
        };
        stdout = serde_json::to_string(&doc).unwrap_or_default();
        stdout.push('\n');
    }
    let code = if any_unusable {
        super::EXIT_UNUSABLE
    } else if any_rejected {
        EXIT_REJECTED
    } else {
        0
    };
    Output {
        stdout,
        stderr,
        code,
    }
}
