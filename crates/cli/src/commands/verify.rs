//! `unwind verify FILE [--json] [--log-level N] [--mode M]`: assemble and verify a program;
//! print the verifier log (and the error with its source line), or the verdict as JSON.
//!
//! Exit codes (SPEC §6): 0 accepted, 1 rejected, 2 unusable input.

use std::ffi::OsString;

use unwind_verifier::{verify, Mode};

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
    pub mode: Mode,
    /// Also ask the running kernel's verifier (`--compare-kernel`).
    pub compare_kernel: bool,
}

const LEVELS: &str = "0, 1 or 2";

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
        Opt::value("--mode", MODE_VALUES.as_str(), |a, v| {
            a.mode = named(v)?;
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
        mode: Mode::default(),
        compare_kernel: false,
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
Usage: unwind verify FILE [--json] [--log-level N] [--mode M] [--compare-kernel]

Assembles FILE ('-' for standard input) and verifies it as the kernel's verifier would (Linux
6.12 rules, privileged load). Prints the verifier log in the kernel's format and, when the
program is rejected, the error at its source line.

Options:
  --log-level N      0 (errors only), 1 (default: the failing path and the summary line) or 2
                     (every instruction with the registers and stack slots it touched)
  --mode M           how exceptions are treated: legacy (v6.7, with the global-subprog
                     loophole), upstream (today's kernel), cleanup (default; the RFC's frame
                     descriptors), cleanup-v2 (cleanup, resolving merge conflicts by rewriting
                     the program; the rewritten program is printed after the log), runtime
                     (references left to a run-time table)
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
    let verdict = verify(&program, &opts);
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
