//! The subcommands. Each takes its parsed arguments and returns an [`Output`]: what to print
//! on standard output and standard error, and the exit code. Nothing here writes directly, so
//! every command can be tested as a function.

pub mod asm;
pub mod conformance;
pub mod disasm;
mod kernel;
pub mod run;
pub mod verify;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use crate::args::{self, ArgsError, Command, Input};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: unusable input (bad arguments, unreadable file, assembly errors), SPEC §6.
pub const EXIT_UNUSABLE: u8 = 2;

/// What a command prints, and how it exits.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Output {
    pub fn ok(stdout: String) -> Output {
        Output {
            stdout,
            stderr: String::new(),
            code: EXIT_OK,
        }
    }

    /// A one-line error on standard error, exit code 2.
    pub fn unusable(message: impl std::fmt::Display) -> Output {
        Output {
            stdout: String::new(),
            stderr: format!("unwind: {message}\n"),
            code: EXIT_UNUSABLE,
        }
    }

    /// A command line that could not be parsed.
    pub fn usage_error(err: &ArgsError) -> Output {
        match err {
            // `unwind` alone: show what there is to do.
            ArgsError::MissingCommand => Output {
                stdout: String::new(),
                stderr: args::usage(None),
                code: EXIT_UNUSABLE,
            },
            _ => Output::unusable(format_args!("{err} (see 'unwind --help')")),
        }
    }

    /// Writes both streams and turns the code into the process's exit code. Write errors
    /// (a closed pipe, say) are ignored: there is nobody left to tell.
    pub fn emit(self) -> ExitCode {
        let _ = io::stdout().lock().write_all(self.stdout.as_bytes());
        let _ = io::stdout().lock().flush();
        let _ = io::stderr().lock().write_all(self.stderr.as_bytes());
        ExitCode::from(self.code)
    }
}

/// Runs a parsed command line.
pub fn execute(command: Command) -> Output {
    match command {
        Command::Help(topic) => Output::ok(args::usage(topic)),
        Command::Version => Output::ok(format!("unwind {}\n", env!("CARGO_PKG_VERSION"))),
        Command::Asm(a) => match read_input(&a.input) {
            Ok(bytes) => asm::run(&a, &bytes),
            Err(out) => out,
        },
        Command::Disasm(a) => match read_input(&a.input) {
            Ok(bytes) => disasm::run(&a, &bytes),
            Err(out) => out,
        },
        Command::Verify(a) => match read_input(&a.input) {
            Ok(bytes) => verify::run(&a, &bytes),
            Err(out) => out,
        },
        Command::Run(a) => match read_input(&a.input) {
            Ok(bytes) => run::run(&a, &bytes),
            Err(out) => out,
        },
        Command::Conformance(a) => conformance::run(&a),
    }
}

/// Reads the whole input: a file, or standard input for `-`.
/// Assembles a source file for `run` and `verify` (syntax detected). On failure, the output
/// to print: every diagnostic with its caret, exit 2.
fn assemble_source<'a>(
    name: &str,
    bytes: &'a [u8],
) -> Result<(&'a str, unwind_program::Program), Output> {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return Err(Output::unusable(format_args!(
            "{name}: not UTF-8 text: expected assembly source"
        )));
    };
    let assembly = unwind_asm::assemble(source);
    match assembly.program.filter(|_| assembly.diagnostics.is_empty()) {
        Some(program) => Ok((source, program)),
        None => Err(Output {
            stdout: String::new(),
            stderr: crate::report::render_all(name, source, &assembly.diagnostics),
            code: EXIT_UNUSABLE,
        }),
    }
}

/// Loads a BPF object file (the input starts with `\x7fELF`).
fn load_object(name: &str, bytes: &[u8]) -> Result<unwind_object::Object, Output> {
    unwind_object::load(bytes).map_err(|e| Output::unusable(format_args!("{name}: {e}")))
}

/// The programs `--prog` selects: the one named, or all of them.
fn select_programs<'a>(
    name: &str,
    object: &'a unwind_object::Object,
    prog: Option<&str>,
) -> Result<Vec<&'a unwind_object::ObjectProgram>, Output> {
    match prog {
        Some(p) => object
            .program(p)
            .map(|p| vec![p])
            .map_err(|e| Output::unusable(format_args!("{name}: {e} ({})", program_list(object)))),
        None if object.programs.is_empty() => Err(Output::unusable(format_args!(
            "{name}: the object has no program section"
        ))),
        None => Ok(object.programs.iter().collect()),
    }
}

/// `programs: a, b (sections tc, xdp)`, for messages.
fn program_list(object: &unwind_object::Object) -> String {
    let names: Vec<String> = object
        .programs
        .iter()
        .map(|p| format!("{} in {}", p.name, p.section))
        .collect();
    format!("its programs: {}", names.join(", "))
}

/// What `run` needs of an object: the program, the text that stands for its source (C lines
/// by number, see `unwind_object::source_text`) and the global-data maps' initial contents.
pub(crate) struct ObjectRun {
    pub source: String,
    pub program: unwind_program::Program,
    pub initial_data: Vec<(String, Vec<u8>)>,
}

/// The one program `run` can run: the one named by `--prog`, or the object's only one.
fn object_program(name: &str, bytes: &[u8], prog: Option<&str>) -> Result<ObjectRun, Output> {
    let object = load_object(name, bytes)?;
    let selected = select_programs(name, &object, prog)?;
    let [p] = selected.as_slice() else {
        return Err(Output::unusable(format_args!(
            "{name}: the object has {} programs: name one with --prog ({})",
            selected.len(),
            program_list(&object)
        )));
    };
    match &p.program {
        Ok(program) => Ok(ObjectRun {
            source: unwind_object::source_text(program),
            program: program.clone(),
            initial_data: object.initial_data.clone(),
        }),
        Err(e) => Err(Output::unusable(format_args!(
            "{name}: program {}: {e}",
            p.name
        ))),
    }
}

fn read_input(input: &Input) -> Result<Vec<u8>, Output> {
    let result = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf).map(|_| buf)
        }
        Input::File(path) => std::fs::read(path),
    };
    result.map_err(|err| Output::unusable(format_args!("cannot read {input}: {}", io_reason(&err))))
}

/// An I/O error in words, without the `(os error N)` tail.
fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}
