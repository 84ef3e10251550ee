//! `unwind verify FILE [--json] [--log-level N] [--mode M]`: assemble and verify a program;
//! print the verifier log (and the error with its source line), or the verdict as JSON.
//!
//! Exit codes (SPEC §6): 0 accepted, 1 rejected, 2 unusable input.

use std::ffi::OsString;

use unwind_verifier::{verify, Mode};

use super::Output;
use crate::args::{no_value, set_input, tokens, value_of, ArgsError, Command, Input, Token, Topic};

/// Exit code: the verifier rejected the program.
pub const EXIT_REJECTED: u8 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyArgs {
    pub input: Input,
    pub json: bool,
    pub log_level: u32,
    pub mode: Mode,
}

const LEVELS: &str = "0, 1 or 2";
const MODES: &str = "legacy, upstream, cleanup, cleanup-v2 or runtime";

pub fn parse(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    const CMD: &str = "verify";
    let mut input = None;
    let mut args = VerifyArgs {
        input: Input::Stdin,
        json: false,
        log_level: 1,
        mode: Mode::default(),
    };
    let mut toks = tokens(rest)?.into_iter();
    while let Some(tok) = toks.next() {
        match tok {
            Token::Positional(arg) => set_input(CMD, &mut input, arg)?,
            Token::Opt { name, value } => match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help(Some(Topic::Verify))),
                "--json" => {
                    no_value(CMD, "--json", value)?;
                    args.json = true;
                }
                "--log-level" => {
                    let v = value_of(CMD, "--log-level", LEVELS, value, &mut toks)?;
                    args.log_level = v.parse().ok().filter(|&n: &u32| n <= 2).ok_or(
                        ArgsError::InvalidValue {
                            command: CMD,
                            option: "--log-level",
                            value: v,
                            expected: LEVELS,
                        },
                    )?;
                }
                "--mode" => {
                    let v = value_of(CMD, "--mode", MODES, value, &mut toks)?;
                    args.mode = v.parse::<Mode>().ok().ok_or(ArgsError::InvalidValue {
                        command: CMD,
                        option: "--mode",
                        value: v,
                        expected: MODES,
                    })?;
                }
                _ => {
                    return Err(ArgsError::UnknownOption {
                        command: CMD,
                        option: name,
                    })
                }
            },
        }
    }
    args.input = input.ok_or(ArgsError::MissingFile { command: CMD })?;
    Ok(Command::Verify(args))
}

pub const USAGE: &str = "\
Usage: unwind verify FILE [--json] [--log-level N] [--mode M]

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
