//! Command-line parsing, by hand (no argument-parsing crate, to keep cold builds lean).
//!
//! Grammar: `unwind COMMAND [ARGS...]`, where options may come before or after the file,
//! take their value as `--opt VALUE` or `--opt=VALUE`, and `--` ends the options. `-` as the
//! file means standard input. Every command's options go through `crate::options::parse`,
//! from a table the command declares.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use unwind_asm::Syntax;
use unwind_program::disasm::Style;

use crate::options::{self, named, Opt, Spec, STYLE_VALUES, SYNTAX_VALUES};

/// Where the program text or bytecode comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `-`: standard input.
    Stdin,
    File(PathBuf),
}

impl Input {
    pub(crate) fn from_arg(arg: OsString) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::File(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for Input {
    /// The name used in messages: the path as given, or `<stdin>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("<stdin>"),
            Input::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// `unwind asm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmArgs {
    pub input: Input,
    pub json: bool,
    pub syntax: Syntax,
}

/// `unwind disasm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisasmArgs {
    pub input: Input,
    pub style: Style,
    /// For an object file: the program to disassemble (all of them when `None`).
    pub prog: Option<String>,
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the usage: of everything (`None`) or of one subcommand.
    Help(Option<Topic>),
    Version,
    Asm(AsmArgs),
    Disasm(DisasmArgs),
    Verify(crate::commands::verify::VerifyArgs),
    Run(crate::commands::run::RunArgs),
    Conformance(crate::commands::conformance::ConformanceArgs),
}

/// A subcommand whose usage `help` can print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    Asm,
    Disasm,
    Verify,
    Run,
    Conformance,
}

/// Why the command line could not be understood. Each is one line; the caller adds a hint
/// to `--help` and exits with 2.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    #[error("missing command: expected one of asm, disasm, verify, run, conformance, help")]
    MissingCommand,
    #[error("unknown command '{0}': expected one of asm, disasm, verify, run, conformance, help")]
    UnknownCommand(String),
    #[error("{command}: missing FILE (use '-' for standard input)")]
    MissingFile { command: &'static str },
    #[error("{command}: unexpected argument '{arg}': expected only one FILE")]
    ExtraArgument { command: &'static str, arg: String },
    #[error("{command}: unknown option '{option}'")]
    UnknownOption {
        command: &'static str,
        option: String,
    },
    #[error("{command}: option {option} needs a value: expected {expected}")]
    MissingValue {
        command: &'static str,
        option: &'static str,
        expected: &'static str,
    },
    #[error("{command}: invalid value '{value}' for {option}: expected {expected}")]
    InvalidValue {
        command: &'static str,
        option: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{command}: option {option} takes no value")]
    UnexpectedValue {
        command: &'static str,
        option: &'static str,
    },
    #[error("argument is not valid UTF-8: {0}")]
    NotUtf8(String),
}

/// Parses the arguments after the program name.
pub fn parse<I>(args: I) -> Result<Command, ArgsError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter().map(Into::into);
    let Some(first) = args.next() else {
        return Err(ArgsError::MissingCommand);
    };
    let first = utf8(first)?;
    let rest: Vec<OsString> = args.collect();
    match first.as_str() {
        "-h" | "--help" => Ok(Command::Help(None)),
        "-V" | "--version" => Ok(Command::Version),
        "help" => parse_help(rest),
        "asm" => parse_asm(rest),
        "disasm" => parse_disasm(rest),
        "verify" => crate::commands::verify::parse(rest),
        "run" => crate::commands::run::parse(rest),
        "conformance" => crate::commands::conformance::parse(rest),
        other if other.starts_with('-') => Err(ArgsError::UnknownOption {
            command: "unwind",
            option: other.to_string(),
        }),
        other => Err(ArgsError::UnknownCommand(other.to_string())),
    }
}

pub(crate) fn utf8(arg: OsString) -> Result<String, ArgsError> {
    arg.into_string()
        .map_err(|bad| ArgsError::NotUtf8(bad.to_string_lossy().into_owned()))
}

fn topic(name: &str) -> Option<Topic> {
    Some(match name {
        "asm" => Topic::Asm,
        "disasm" => Topic::Disasm,
        "verify" => Topic::Verify,
        "run" => Topic::Run,
        "conformance" => Topic::Conformance,
        _ => return None,
    })
}

fn parse_help(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let mut rest = rest.into_iter();
    let Some(name) = rest.next() else {
        return Ok(Command::Help(None));
    };
    let name = utf8(name)?;
    if let Some(extra) = rest.next() {
        return Err(ArgsError::ExtraArgument {
            command: "help",
            arg: extra.to_string_lossy().into_owned(),
        });
    }
    topic(&name)
        .map(|t| Command::Help(Some(t)))
        .ok_or(ArgsError::UnknownCommand(name))
}

/// One command-line token, split into options and positionals.
pub(crate) enum Token {
    /// `--name` or `--name=value` (or a short `-x`).
    Opt {
        name: String,
        value: Option<String>,
    },
    Positional(OsString),
}

/// Splits tokens, honouring `--` (everything after it is positional) and `-` (positional).
pub(crate) fn tokens(rest: Vec<OsString>) -> Result<Vec<Token>, ArgsError> {
    let mut out = Vec::with_capacity(rest.len());
    let mut options_done = false;
    for arg in rest {
        let is_option = !options_done
            && arg
                .to_str()
                .is_some_and(|s| s.starts_with('-') && s.len() > 1);
        if !is_option {
            // A non-UTF-8 argument starting with '-' is still taken as a file name.
            out.push(Token::Positional(arg));
            continue;
        }
        let s = utf8(arg)?;
        if s == "--" {
            options_done = true;
            continue;
        }
        match s.split_once('=') {
            Some((name, value)) if s.starts_with("--") => out.push(Token::Opt {
                name: name.to_string(),
                value: Some(value.to_string()),
            }),
            _ => out.push(Token::Opt {
                name: s,
                value: None,
            }),
        }
    }
    Ok(out)
}

/// `unwind asm`'s options.
fn parse_asm(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [
        Opt::flag("--json", |a: &mut AsmArgs| a.json = true),
        Opt::value("--syntax", SYNTAX_VALUES, |a, v| {
            a.syntax = named(v)?;
            Some(())
        }),
    ];
    let spec = Spec {
        command: "asm",
        topic: Topic::Asm,
        options: &options,
        finish: |mut a, file| {
            a.input = Input::from_arg(file);
            Command::Asm(a)
        },
    };
    let defaults = AsmArgs {
        input: Input::Stdin,
        json: false,
        syntax: Syntax::Auto,
    };
    options::parse(&spec, defaults, rest)
}

/// `unwind disasm`'s options.
fn parse_disasm(rest: Vec<OsString>) -> Result<Command, ArgsError> {
    let options = [
        Opt::value("--style", STYLE_VALUES.as_str(), |a: &mut DisasmArgs, v| {
            a.style = named(v)?;
            Some(())
        }),
        Opt::value("--prog", "a program name", |a, v| {
            a.prog = Some(v.to_string());
            Some(())
        }),
    ];
    let spec = Spec {
        command: "disasm",
        topic: Topic::Disasm,
        options: &options,
        finish: |mut a, file| {
            a.input = Input::from_arg(file);
            Command::Disasm(a)
        },
    };
    let defaults = DisasmArgs {
        input: Input::Stdin,
        style: Style::Source,
        prog: None,
    };
    options::parse(&spec, defaults, rest)
}

pub const USAGE: &str = "\
unwind: a BPF assembler, verifier and interpreter

Usage:
  unwind asm FILE [--json] [--syntax auto|pseudo-c|ubpf|hex]
                        assemble; print the bytecode as hex (8 bytes a line) or JSON
  unwind disasm FILE [--style source|log] [--prog NAME]
                        disassemble hex, raw bytecode or a BPF object file to pseudo-C
  unwind verify FILE [--mode M] [--log-level 0|1|2] [--log-size BYTES] [--json] [--prog NAME]
                        [--compare-kernel]
                        verify as the kernel would; print the log and the verdict
  unwind run FILE [--mode M] [--unverified] [--ctx HEX] [--budget N] [--world FILE.json] [--json]
                        verify, then run in the interpreter; print r0, trace output and events
  unwind conformance DIR [--json]
                        run a BPF conformance-suite folder; `N passed, M failed`
  unwind help [COMMAND] print this help, or a command's
  unwind --version      print the version

FILE may be '-' for standard input. verify, run and disasm also read BPF object files
(clang -target bpf -g), detected by their ELF magic; --prog NAME picks one of their programs.

Modes (--mode): legacy, upstream, cleanup (default), cleanup-v2, runtime.

Exit codes: 0 success, 2 unusable input (bad arguments, unreadable file, assembly errors);
verify and run: 1 rejected by the verifier; run: 3 runtime fault; conformance: 1 when a file
failed.
";

pub const USAGE_ASM: &str = "\
Usage: unwind asm FILE [--json] [--syntax auto|pseudo-c|ubpf|hex]

Assembles FILE ('-' for standard input) and prints the bytecode as hex, one 8-byte slot a
line (`b7 00 00 00 01 00 00 00`), which `unwind disasm` and `unwind asm --syntax hex` read back.

Options:
  --json             print one JSON object: syntax, instructions (pc, hex, line, column, text),
                     functions, maps, prog_type and the whole bytecode as hex
  --syntax SYNTAX    auto (default: detect), pseudo-c, ubpf or hex
  -h, --help         print this help

Errors are printed as FILE:LINE:COL: error: MESSAGE with the source line and a caret
(with --json: {\"diagnostics\": [...]} on standard output); the exit code is then 2.
";

pub const USAGE_DISASM: &str = "\
Usage: unwind disasm FILE [--style source|log] [--prog NAME]

Disassembles bytecode to pseudo-C. FILE ('-' for standard input) holds either hex text
(8 bytes an instruction, as `unwind asm` prints it), raw binary bytecode, or a BPF object file
(clang -target bpf -g): each of its programs (or the one --prog names) with its directives
(.ctx, .map, .globl, .exception_callback) and its C source lines as `// text @ file:line`
comments; one program's text re-assembles to the same bytes.

Options:
  --style STYLE      source (default: re-assembles to the same bytes) or log (the kernel
                     verifier log's style, `7: (15) if r0 == 0x0 goto pc+10`)
  --prog NAME        for an object file: only the program NAME
  -h, --help         print this help
";

/// The usage text of a topic.
pub fn usage(topic: Option<Topic>) -> String {
    match topic {
        None => USAGE.to_string(),
        Some(Topic::Asm) => USAGE_ASM.to_string(),
        Some(Topic::Disasm) => USAGE_DISASM.to_string(),
        Some(Topic::Verify) => crate::commands::verify::USAGE.to_string(),
        Some(Topic::Run) => crate::commands::run::USAGE.to_string(),
        Some(Topic::Conformance) => crate::commands::conformance::USAGE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, ArgsError> {
        parse(args.iter().copied())
    }

    #[test]
    fn asm_with_options_in_any_order() {
        let want = Command::Asm(AsmArgs {
            input: Input::File("x.s".into()),
            json: true,
            syntax: Syntax::Ubpf,
        });
        assert_eq!(
            p(&["asm", "x.s", "--json", "--syntax", "ubpf"]),
            Ok(want.clone())
        );
        assert_eq!(p(&["asm", "--syntax=ubpf", "--json", "x.s"]), Ok(want));
    }

    #[test]
    fn dash_is_stdin_and_double_dash_ends_options() {
        assert!(matches!(
            p(&["disasm", "-"]),
            Ok(Command::Disasm(DisasmArgs {
                input: Input::Stdin,
                style: Style::Source,
                prog: None,
            }))
        ));
        assert_eq!(
            p(&["asm", "--", "--json"]),
            Ok(Command::Asm(AsmArgs {
                input: Input::File("--json".into()),
                json: false,
                syntax: Syntax::Auto,
            }))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(p(&[]), Err(ArgsError::MissingCommand));
        assert_eq!(p(&["frob"]), Err(ArgsError::UnknownCommand("frob".into())));
        assert_eq!(p(&["asm"]), Err(ArgsError::MissingFile { command: "asm" }));
        assert!(matches!(
            p(&["asm", "a", "b"]),
            Err(ArgsError::ExtraArgument { .. })
        ));
        assert!(matches!(
            p(&["asm", "a", "--frob"]),
            Err(ArgsError::UnknownOption { .. })
        ));
        assert!(matches!(
            p(&["asm", "a", "--syntax"]),
            Err(ArgsError::MissingValue { .. })
        ));
        assert!(matches!(
            p(&["asm", "a", "--syntax", "--json"]),
            Err(ArgsError::MissingValue { .. })
        ));
        assert!(matches!(
            p(&["asm", "a", "--syntax=intel"]),
            Err(ArgsError::InvalidValue { .. })
        ));
        assert!(matches!(
            p(&["asm", "a", "--json=yes"]),
            Err(ArgsError::UnexpectedValue { .. })
        ));
        assert!(matches!(
            p(&["disasm", "a", "--style", "att"]),
            Err(ArgsError::InvalidValue { .. })
        ));
    }

    #[test]
    fn help_everywhere() {
        assert_eq!(p(&["--help"]), Ok(Command::Help(None)));
        assert_eq!(p(&["-h"]), Ok(Command::Help(None)));
        assert_eq!(p(&["help"]), Ok(Command::Help(None)));
        assert_eq!(p(&["help", "asm"]), Ok(Command::Help(Some(Topic::Asm))));
        assert_eq!(p(&["asm", "-h"]), Ok(Command::Help(Some(Topic::Asm))));
        assert_eq!(
            p(&["disasm", "x", "--help"]),
            Ok(Command::Help(Some(Topic::Disasm)))
        );
        assert_eq!(
            p(&["verify", "--help"]),
            Ok(Command::Help(Some(Topic::Verify)))
        );
        assert_eq!(
            p(&["run", "x.s", "--help"]),
            Ok(Command::Help(Some(Topic::Run)))
        );
        assert!(matches!(
            p(&["run", "x.s", "--budget", "0"]),
            Err(ArgsError::InvalidValue { .. })
        ));
        assert!(matches!(
            p(&["run", "x.s", "--ctx", "00", "--json"]),
            Ok(Command::Run(_))
        ));
        assert!(matches!(
            p(&["conformance", "d", "--json"]),
            Ok(Command::Conformance(_))
        ));
    }

    /// The errors of every command's options, exactly (the table-driven parser keeps the
    /// messages each hand-written loop had).
    #[test]
    fn every_command_has_the_same_errors() {
        let modes = "legacy, upstream, cleanup, cleanup-v2 or runtime";
        assert_eq!(
            p(&["verify", "x", "--mode", "v2"]),
            Err(ArgsError::InvalidValue {
                command: "verify",
                option: "--mode",
                value: "v2".into(),
                expected: modes,
            })
        );
        assert_eq!(
            p(&["run", "x", "--mode"]),
            Err(ArgsError::MissingValue {
                command: "run",
                option: "--mode",
                expected: modes,
            })
        );
        assert_eq!(
            p(&["verify", "--log-level=3", "x"]),
            Err(ArgsError::InvalidValue {
                command: "verify",
                option: "--log-level",
                value: "3".into(),
                expected: "0, 1 or 2",
            })
        );
        assert_eq!(
            p(&["run", "x", "--budget", "0"]),
            Err(ArgsError::InvalidValue {
                command: "run",
                option: "--budget",
                value: "0".into(),
                expected: "a positive number of instructions",
            })
        );
        assert_eq!(
            p(&["run", "x", "--ctx", "--json"]),
            Err(ArgsError::MissingValue {
                command: "run",
                option: "--ctx",
                expected: "hex bytes",
            })
        );
        assert_eq!(
            p(&["run", "x", "--world"]),
            Err(ArgsError::MissingValue {
                command: "run",
                option: "--world",
                expected: "a JSON file",
            })
        );
        assert_eq!(
            p(&["run", "x", "--unverified=1"]),
            Err(ArgsError::UnexpectedValue {
                command: "run",
                option: "--unverified",
            })
        );
        assert_eq!(
            p(&["disasm", "x", "--style"]),
            Err(ArgsError::MissingValue {
                command: "disasm",
                option: "--style",
                expected: "source or log",
            })
        );
        assert_eq!(
            p(&["asm", "x", "--syntax=intel"]).unwrap_err().to_string(),
            "asm: invalid value 'intel' for --syntax: expected auto, pseudo-c, ubpf or hex"
        );
        assert_eq!(
            p(&["conformance", "d", "e"]),
            Err(ArgsError::ExtraArgument {
                command: "conformance",
                arg: "e".into(),
            })
        );
        assert_eq!(
            p(&["conformance", "--json"]),
            Err(ArgsError::MissingFile {
                command: "conformance"
            })
        );
        assert_eq!(
            p(&["verify", "x", "--frob"]),
            Err(ArgsError::UnknownOption {
                command: "verify",
                option: "--frob".into(),
            })
        );
        // An error before `--help` wins, as it always did; `--help` before it wins too.
        assert!(matches!(
            p(&["run", "--frob", "--help"]),
            Err(ArgsError::UnknownOption { .. })
        ));
        assert_eq!(
            p(&["conformance", "--help", "--frob"]),
            Ok(Command::Help(Some(Topic::Conformance)))
        );
    }

    #[test]
    fn values_take_every_spelling_and_land_in_the_args() {
        let Ok(Command::Run(run)) = p(&[
            "run",
            "--mode=Cleanup_V2",
            "x.s",
            "--ctx",
            "00ff",
            "--world=w.json",
            "--budget",
            "7",
            "--unverified",
            "--json",
        ]) else {
            panic!("run parses");
        };
        assert_eq!(
            run,
            crate::commands::run::RunArgs {
                input: Input::File("x.s".into()),
                ctx: Some("00ff".into()),
                budget: Some(7),
                world: Some("w.json".into()),
                json: true,
                mode: unwind_verifier::Mode::CleanupV2,
                unverified: true,
                compare_kernel: false,
                prog: None,
            }
        );
        assert_eq!(
            p(&["verify", "-", "--log-level", "2", "--mode", "legacy"]),
            Ok(Command::Verify(crate::commands::verify::VerifyArgs {
                input: Input::Stdin,
                json: false,
                log_level: 2,
                log_size: None,
                mode: unwind_verifier::Mode::Legacy,
                compare_kernel: false,
                prog: None,
            }))
        );
        for name in ["c", "llvm", "pseudoc", "PSEUDO-C", "pseudo_c"] {
            assert!(
                matches!(
                    p(&["asm", "x", "--syntax", name]),
                    Ok(Command::Asm(AsmArgs {
                        syntax: Syntax::PseudoC,
                        ..
                    }))
                ),
                "{name}"
            );
        }
        assert!(matches!(
            p(&["verify", "x.o", "--prog", "main"]),
            Ok(Command::Verify(crate::commands::verify::VerifyArgs { prog: Some(ref n), .. })) if n == "main"
        ));
        assert!(matches!(
            p(&["disasm", "x", "--style=LOG"]),
            Ok(Command::Disasm(DisasmArgs {
                style: Style::Log,
                ..
            }))
        ));
    }
}
