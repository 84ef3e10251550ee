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
}

const LEVELS: &str = "0, 1 or 2";
const LOG_SIZES: &str = "a number of bytes from 128 to 1073741823";

/// Parses `verify`'s arguments.
pub fn parse(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [
        Opt::flag("--json", |a: &mut VerifyArgs| a.json = true),
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
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
Usage: unwind verify FILE [--json] [--log-level N] [--log-size BYTES] [--mode M]

Assembles FILE ('-' for standard input) and verifies it as the kernel's verifier would (Linux
6.12 rules, privileged load). Prints the verifier log in the kernel's format and, when the
program is rejected, the error at its source line.

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
  --json             print the verdict as one JSON object: accepted, errors (pc, line, column,
                     message), log, states (per pc), functions (linkage, stack depth,
                     callee-saved registers, might_throw), stats, frame_descriptors (pc,
                     function, slots, paths), rewrite (cleanup-v2), loaded (cleanup modes: the
                     program with the hidden bpf_throw trampoline)
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
    let mut verdict = verify(&program, &opts);
    if let Some(size) = args.log_size {
        verdict.fit_log(size as usize, &program.spans);
    }
    let code = if verdict.accepted { 0 } else { EXIT_REJECTED };
    if args.json {
        let mut stdout = serde_json::to_string(&verdict).unwrap_or_default();
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
    Output {
        stdout,
        stderr,
        code,
    }
}
